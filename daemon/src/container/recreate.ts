/** The create request that rebuilds a container as it was created: same image ref, name, labels and settings. */
import type { ContainerCreateRequest, ContainerInspect, HostConfig } from '../engine/index.js';
import { clientBinds } from '../exec/doors.js';

/** `hardening`: hardening.ts's members, applied anew (an inspect shows them in each engine's own words). */
export function recreateOptions(c: ContainerInspect, hardening: HostConfig): ContainerCreateRequest {
  const h = c.HostConfig;
  return {
    name: c.Name.replace(/^\//, ''),
    Image: c.Config.Image,
    Cmd: c.Config.Cmd,
    Labels: c.Config.Labels,
    Tty: c.Config.Tty,
    OpenStdin: c.Config.OpenStdin,
    ExposedPorts: c.Config.ExposedPorts,
    HostConfig: {
      ...hardening,
      NetworkMode: h.NetworkMode,
      // The door is the daemon's, not the container's: the new container gets one of its own (Containers.launch).
      Binds: clientBinds(h.Binds),
      Devices: h.Devices ?? [],
      PortBindings: h.PortBindings,
      ...(h.Memory && { Memory: h.Memory, MemorySwap: h.MemorySwap }),
      ...(h.CpuQuota && { CpuPeriod: h.CpuPeriod, CpuQuota: h.CpuQuota }),
    },
  };
}
