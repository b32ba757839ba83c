/** The `network:` part of the daemon's config. */
export interface NetworkConfig {
  /** The network sandboxes join when a block is on (created by the daemon on each engine). */
  name: string;
  /** Refuse sandbox traffic to 169.254.0.0/16 (cloud instance metadata and credentials). */
  blockLinkLocal: boolean;
  /** Refuse sandbox traffic to every address of the host itself (the bridge's gateway included). */
  blockHost: boolean;
}

export const DEFAULT_NETWORK: NetworkConfig = { name: 'pocketdock-sandbox', blockLinkLocal: false, blockHost: false };

/** What Docker and Podman take as a network name. */
export const NETWORK_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/;

export const filtering = (c: NetworkConfig): boolean => c.blockLinkLocal || c.blockHost;
