// The address an ABCI server listens on, written the way CometBFT's proxy_app setting writes it.
export type ListenAddress = { kind: "tcp"; host: string; port: number } | { kind: "unix"; path: string };

export function parseListenAddress(address: string): ListenAddress {
  if (address.startsWith("unix://")) {
    const path = address.slice("unix://".length);
    if (path === "") throw new Error(`ABCI address ${JSON.stringify(address)} has no socket path`);
    return { kind: "unix", path };
  }
  const hostPort = address.startsWith("tcp://") ? address.slice("tcp://".length) : address;
  const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(hostPort);
  if (match === null) {
    throw new Error(`ABCI address ${JSON.stringify(address)} is neither tcp://HOST:PORT nor unix:///PATH`);
  }
  const port = Number(match[2]);
  if (port > 65535) throw new Error(`ABCI address ${JSON.stringify(address)} has port ${port} above 65535`);
  return { kind: "tcp", host: match[1]!.replace(/^\[|\]$/g, ""), port };
}

export function formatListenAddress(address: ListenAddress): string {
  if (address.kind === "unix") return `unix://${address.path}`;
  const host = address.host.includes(":") ? `[${address.host}]` : address.host;
  return `tcp://${host}:${address.port}`;
}
