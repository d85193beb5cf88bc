package io.portti.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU ticks used so far by each thread of this JVM (GC and JIT threads included), by the whole JVM and
 * by the whole machine, read from Linux's /proc. Empty where there is no /proc.
 */
record CpuSample(Map<Long, Long> threadTicks, Map<Long, String> threadNames, long processTicks,
    long machineBusyTicks, long machineTotalTicks, int machineCpus) {

  private static final CpuSample NONE = new CpuSample(Map.of(), Map.of(), 0, 0, 0, 0);

  boolean available() {
    return machineCpus > 0;
  }

  static CpuSample take() {
    try {
      Map<Long, Long> threadTicks = new HashMap<>();
      Map<Long, String> threadNames = new HashMap<>();
      try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
        for (Path task : tasks) {
          String stat;
          try {
            stat = Files.readString(task.resolve("stat"));
          } catch (IOException exited) {
            continue;
          }
          long tid = Long.parseLong(task.getFileName().toString());
          threadTicks.put(tid, ticksOf(stat));
          threadNames.put(tid, stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')));
        }
      }
      long process = ticksOf(Files.readString(Path.of("/proc/self/stat")));
      List<String> machine = Files.readAllLines(Path.of("/proc/stat"));
      String[] fields = machine.get(0).trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < fields.length; i++) total += Long.parseLong(fields[i]);
      // Fields 4 and 5 are idle and iowait: every other tick is a CPU doing work.
      long busy = total - Long.parseLong(fields[4]) - Long.parseLong(fields[5]);
      int cpus = (int) machine.stream().filter(line -> line.matches("cpu\\d+ .*")).count();
      return new CpuSample(threadTicks, threadNames, process, busy, total, cpus);
    } catch (IOException noProc) {
      return NONE;
    }
  }

  /** utime + stime of a /proc stat line; the name in parentheses may itself hold spaces, so count from its end. */
  private static long ticksOf(String stat) {
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }
}
