/**
 * sd_notify(3) for a Type=notify unit: READY=1 once both listeners are up, STOPPING=1 on a signal,
 * STATUS= lines `systemctl status` shows. The message is a Unix datagram, which Node cannot send;
 * systemd-notify, part of systemd wherever systemd supervises, sends it and by default waits until
 * the manager has taken it (a barrier), so a unit with NotifyAccess=all is told reliably even though
 * the sender is our child rather than the main process.
 */
import { spawn } from 'node:child_process';
import type { Logger } from './log.js';

export class ServiceNotifier {
  private readonly socket: string | undefined;

  /** Takes NOTIFY_SOCKET out of `env` so programs the daemon starts do not speak for the unit. */
  constructor(
    private readonly log: Logger,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.socket = env.NOTIFY_SOCKET;
    delete env.NOTIFY_SOCKET;
  }

  /** Sends `KEY=value` assignments; resolves whether or not they arrived (a failure is logged, never fatal). */
  notify(...assignments: string[]): Promise<void> {
    const socket = this.socket;
    if (!socket) return Promise.resolve();
    return new Promise((resolve) => {
      let stderr = '';
      const child = spawn('systemd-notify', [`MAINPID=${process.pid}`, ...assignments], {
        env: { ...process.env, NOTIFY_SOCKET: socket },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      child.once('error', (err) => {
        this.log.warn({ err: err.message, socket }, 'cannot tell the service manager (is systemd-notify installed?)');
        resolve();
      });
      child.once('close', (code) => {
        if (code !== 0) this.log.warn({ code, stderr: stderr.trim(), socket }, 'systemd-notify failed');
        else this.log.debug({ assignments }, 'told the service manager');
        resolve();
      });
    });
  }
}
