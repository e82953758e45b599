// The activity log: append-only JSON lines, fsynced per entry. The hash-chained NEN 7513 log of
// the exchange builds on this file format later.
import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface Activity {
  time: string;
  actor: string;
  activity: string;
  thread_id?: string;
  [detail: string]: unknown;
}

export function activityLogPath(dataDir: string): string {
  return join(dataDir, 'activity.jsonl');
}

export function recordActivity(dataDir: string, entry: Omit<Activity, 'time'>): Activity {
  const full = { time: new Date().toISOString(), ...entry } as Activity;
  const path = activityLogPath(dataDir);
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, 'a');
  try {
    writeSync(fd, JSON.stringify(full) + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return full;
}
