// CPU time of one thread, from Linux's /proc (utime + stime, in clock ticks of 10 ms): what a
// benchmark's main thread, load generator and the rest of the process each spent, which a busy
// machine does not bend as it bends wall-clock rates. Undefined where /proc has no such file.
import { readFileSync } from "node:fs";

/** Clock ticks per second of /proc's times (USER_HZ; 100 on Linux for x86 and arm). */
const TICKS_PER_SECOND = 100;

/** Milliseconds of CPU `thread` has used: "self" for the calling thread, or a thread id of this process. */
export function threadCpuMs(thread: "self" | number = "self"): number | undefined {
  try {
    const stat = readFileSync(thread === "self" ? "/proc/thread-self/stat" : `/proc/self/task/${thread}/stat`, "latin1");
    // The name (field 2) is in parentheses and may hold spaces: count fields after its ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Fields 14 and 15 of the file are the 12th and 13th after the name.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** Milliseconds of CPU the whole process has used (every thread). */
export function processCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}
