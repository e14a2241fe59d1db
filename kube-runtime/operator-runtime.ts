// Everything a reconciler needs besides its own logic: a client, shared informers, controllers that run only
// while this replica holds the leader Lease, an event recorder, metrics, logs and the health/metrics endpoint.
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { EventRecorder } from "./event-recorder.js";
import { startHealthServer, type HealthCheck, type HealthServer } from "../observability/health-server.js";
import { silentLogger, type Logger } from "../observability/logger.js";
import { OperatorMetrics } from "../observability/metrics.js";
import { Controller, type ControllerOptions } from "./controller.js";
import { Informer, type InformerOptions } from "./informer.js";
import { KubeClient } from "./kube-client.js";
import type { KubeConnection } from "./kube-config.js";
import { LeaderElector } from "./leader-election.js";
import { describeResource, type KubeObject, type ResourceType } from "./resource.js";

export interface LeaderElectionSettings {
  namespace: string;
  /** Default: the runtime's name. */
  leaseName?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

export type InformerTuning = Pick<
  InformerOptions<KubeObject>,
  "watchIdleTimeoutMs" | "watchTimeoutSeconds" | "backoff" | "minHealthyWatchMs"
>;

export interface OperatorRuntimeOptions {
  /** A KubeAccess (kube-config.ts) or client-node's KubeConfig. */
  kubeConfig: KubeConnection;
  /** Names the Lease and reports Events, e.g. "uranus-operator". */
  name: string;
  /** This replica; default hostname plus a random suffix. */
  identity?: string;
  logger?: Logger;
  metrics?: OperatorMetrics;
  /** Omit to run controllers without competing for a Lease (a single replica, or tests). */
  leaderElection?: LeaderElectionSettings;
  /** "host:port" for /healthz, /readyz and /metrics; none when omitted. */
  healthAddress?: string;
  informers?: InformerTuning;
  /** Events' reportingController; default "uranus.io/<name>". */
  reportingController?: string;
  /** More checks behind /readyz, e.g. a dependency the controllers need. */
  readyChecks?: HealthCheck[];
}

export interface InformerSelection {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface InformerCaching<T extends KubeObject> {
  /**
   * What the cache keeps of each object, say only the fields the controllers read (type T as that, so the compiler
   * catches a reader of a dropped field). Gets the object without managedFields; must keep metadata and never throw.
   * Controllers must then write with patches of the fields they set, never `replace` an object from the cache.
   */
  keep?: (object: KubeObject) => T;
}

const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

/**
 * What every cache drops: managedFields and `kubectl apply`'s copy of the whole object in an annotation, which no
 * controller reads and which often outweigh the rest of the object.
 */
export function withoutWriteHistory(object: KubeObject): KubeObject {
  const metadata = object.metadata;
  if (metadata.managedFields !== undefined) delete metadata.managedFields;
  if (metadata.annotations?.[LAST_APPLIED] !== undefined) {
    const { [LAST_APPLIED]: _dropped, ...annotations } = metadata.annotations;
    metadata.annotations = annotations;
  }
  return object;
}

export class OperatorRuntime {
  readonly client: KubeClient;
  readonly logger: Logger;
  readonly metrics: OperatorMetrics;
  readonly events: EventRecorder;
  readonly identity: string;
  private readonly informers = new Map<string, Informer<KubeObject>>();
  private readonly keepers = new Map<string, ((object: KubeObject) => KubeObject) | undefined>();
  private readonly controllers: Controller[] = [];
  private readonly elector: LeaderElector | undefined;
  private health: HealthServer | undefined;
  private started = false;
  private controllersRunning = false;

  constructor(private readonly options: OperatorRuntimeOptions) {
    this.client = new KubeClient(options.kubeConfig);
    this.logger = options.logger ?? silentLogger();
    this.metrics = options.metrics ?? new OperatorMetrics();
    this.identity = options.identity ?? `${hostname()}_${randomBytes(4).toString("hex")}`;
    this.events = new EventRecorder({
      client: this.client,
      reportingController: options.reportingController ?? `uranus.io/${options.name}`,
      reportingInstance: this.identity,
      logger: this.logger,
    });
    const election = options.leaderElection;
    if (election !== undefined) {
      this.elector = new LeaderElector({
        client: this.client,
        namespace: election.namespace,
        name: election.leaseName ?? options.name,
        identity: this.identity,
        leaseDurationMs: election.leaseDurationMs,
        renewDeadlineMs: election.renewDeadlineMs,
        retryPeriodMs: election.retryPeriodMs,
        logger: this.logger,
        metrics: this.metrics,
        onStartedLeading: () => this.startControllers(),
        onStoppedLeading: () => this.stopControllers(),
      });
    }
  }

  /**
   * The one informer for this resource and selection; controllers asking for the same one share it, and must ask
   * with the same `keep` function.
   */
  informer<T extends KubeObject>(
    resource: ResourceType,
    selection: InformerSelection = {},
    caching: InformerCaching<T> = {},
  ): Informer<T> {
    const id = [
      describeResource(resource),
      resource.apiVersion,
      selection.namespace ?? "",
      selection.labelSelector ?? "",
      selection.fieldSelector ?? "",
    ].join("\u0000");
    let informer = this.informers.get(id);
    const keep = caching.keep;
    if (informer !== undefined && this.keepers.get(id) !== keep) {
      throw new Error(
        `the ${describeResource(resource)} informer is already shared with another keep function`,
      );
    }
    if (informer === undefined) {
      informer = new Informer<KubeObject>({
        ...this.options.informers,
        ...selection,
        decode: keep === undefined ? withoutWriteHistory : (object) => keep(withoutWriteHistory(object)),
        client: this.client,
        resource,
        logger: this.logger,
        metrics: this.metrics,
      });
      this.informers.set(id, informer);
      this.keepers.set(id, keep);
      if (this.started) informer.start();
    }
    return informer as unknown as Informer<T>;
  }

  /** Registers a controller; it runs whenever this replica leads (always, without leader election). */
  controller<T extends KubeObject>(options: Omit<ControllerOptions<T>, "logger" | "metrics">): Controller<T> {
    if (this.controllers.some((controller) => controller.name === options.name)) {
      throw new Error(`a controller named "${options.name}" is already registered`);
    }
    const controller = new Controller<T>({ ...options, logger: this.logger, metrics: this.metrics });
    this.controllers.push(controller as unknown as Controller);
    if (this.controllersRunning) this.startController(controller as unknown as Controller);
    return controller;
  }

  isLeader(): boolean {
    return this.elector === undefined ? this.started : this.elector.isLeader();
  }

  /** Ready when every informer has synced and this replica knows whether it leads. */
  readiness(): true | string {
    const unsynced = [...this.informers.values()].filter((informer) => !informer.hasSynced());
    if (unsynced.length > 0) {
      return `informers not synced: ${unsynced.map((informer) => describeResource(informer.resource)).join(", ")}`;
    }
    if (this.elector !== undefined && !this.elector.leadershipKnown()) return "leadership not known yet";
    return true;
  }

  get healthUrl(): string | undefined {
    return this.health?.url;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    if (this.options.healthAddress !== undefined) {
      const readyChecks: HealthCheck[] = [
        { name: "runtime", check: () => this.readiness() },
        ...(this.options.readyChecks ?? []),
      ];
      this.health = await startHealthServer({
        address: this.options.healthAddress,
        registry: this.metrics.registry,
        healthChecks: [{ name: "ping", check: () => true }],
        readyChecks,
      });
      this.logger.info({ url: this.health.url }, "serving /healthz, /readyz and /metrics");
    }
    for (const informer of this.informers.values()) informer.start();
    if (this.elector === undefined) await this.startControllers();
    else this.elector.start();
  }

  /** Stops controllers (draining reconciles in progress), hands back the Lease, then stops watching. */
  async stop(): Promise<void> {
    if (!this.started) return;
    if (this.elector === undefined) await this.stopControllers();
    else await this.elector.stop();
    await Promise.all([...this.informers.values()].map((informer) => informer.stop()));
    await this.events.flush();
    this.client.close();
    await this.health?.close();
    this.health = undefined;
    this.started = false;
  }

  private startControllers(): Promise<void> {
    this.controllersRunning = true;
    for (const controller of this.controllers) this.startController(controller);
    return Promise.resolve();
  }

  private startController(controller: Controller): void {
    // Workers start once the informers sync, which may take a while; leadership does not wait for that.
    controller.start().catch((error: unknown) => {
      this.logger.error({ err: error, controller: controller.name }, "controller failed to start");
    });
  }

  private async stopControllers(): Promise<void> {
    this.controllersRunning = false;
    await Promise.all(this.controllers.map((controller) => controller.stop()));
  }
}
