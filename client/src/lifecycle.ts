/**
 * The reference's module-level lifecycle functions, on the shared connection. Each is the
 * PocketDock method of the same name: one implementation, two entry points.
 */
import type { ContainerListItem, DoctorReport, ProfileInfo } from '@pocketdock/protocol';
import { sharedClient, type DoctorOptions, type EngineOptions, type ResumeOptions, type ScopeOptions } from './client.js';
import type { Container } from './container.js';

export async function resumeContainer(name: string, opts: ResumeOptions = {}): Promise<Container> {
  return (await sharedClient()).resumeContainer(name, opts);
}

export async function listContainers(opts: ScopeOptions = {}): Promise<ContainerListItem[]> {
  return (await sharedClient()).listContainers(opts);
}

export async function stopContainer(name: string, opts: EngineOptions = {}): Promise<void> {
  return (await sharedClient()).stopContainer(name, opts);
}

export async function destroyContainer(name: string, opts: EngineOptions = {}): Promise<void> {
  return (await sharedClient()).destroyContainer(name, opts);
}

export async function prune(opts: ScopeOptions = {}): Promise<number> {
  return (await sharedClient()).prune(opts);
}

export async function doctor(opts: DoctorOptions = {}): Promise<DoctorReport> {
  return (await sharedClient()).doctor(opts);
}

export async function listProfiles(): Promise<ProfileInfo[]> {
  return (await sharedClient()).listProfiles();
}

export async function resolveProfile(name: string): Promise<ProfileInfo> {
  return (await sharedClient()).resolveProfile(name);
}

/** A live Container for an existing sandbox by name or id, without taking its lease. */
export async function getContainer(nameOrId: string, opts: EngineOptions = {}): Promise<Container> {
  return (await sharedClient()).container(nameOrId, opts);
}
