// Root hooks shared by every suite: processes that suites start lazily are stopped once, after all tests.
import { stopSharedFixtures } from "./fixtures.js";

export const mochaHooks = {
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(60_000);
    await stopSharedFixtures();
  },
};
