// Refreshes in rounds, one at a time and at most one per interval; each request is answered by the first
// round that starts after it, so a caller waits for fresh data but never for the block stream to pause.

/**
 * work(): one refresh round (a promise). Returns request(): a promise that resolves once a round started
 * after the call has finished, whether it succeeded or not (a failed round goes to onError). Requests made
 * while a round runs share the next round.
 */
export function refreshRounds(
  work,
  { minIntervalMs = 1000, onError = (error) => console.error(error) } = {},
) {
  let waiting = [];
  let draining = false;
  let lastStart = -Infinity;

  async function untilDue() {
    // Timers may fire a little early, so the remaining pause is measured again after each one.
    let pause = lastStart + minIntervalMs - performance.now();
    while (pause > 0) {
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = lastStart + minIntervalMs - performance.now();
    }
  }

  async function drain() {
    draining = true;
    while (waiting.length > 0) {
      await untilDue();
      const served = waiting;
      waiting = [];
      lastStart = performance.now();
      try {
        await work();
      } catch (error) {
        onError(error);
      }
      for (const resolve of served) resolve();
    }
    draining = false;
  }

  return function request() {
    const done = new Promise((resolve) => waiting.push(resolve));
    if (!draining) void drain();
    return done;
  };
}
