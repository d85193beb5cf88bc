package io.portti.bench;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Where the CPU went between two samples, in cores busy on average, split by who spent it; empty without /proc. */
record CpuUsage(Map<String, Double> coresByPart) {

  static final String LOAD_GENERATOR = "load generator";
  static final String MOCK = "mock upstream";
  static final String GATEWAY = "gateway actors and streams";
  static final String JIT = "JIT compiler";
  static final String GC = "GC and VM";
  static final String OTHER_THREADS = "other JVM threads (JDBC pools, H2, logging)";
  static final String EXITED = "threads that exited in the window";
  static final String OUTSIDE = "outside this JVM (PostgreSQL, other processes)";
  static final String MACHINE = "whole machine";

  private static final List<String> PARTS = List.of(LOAD_GENERATOR, MOCK, GATEWAY, JIT, GC, OTHER_THREADS);

  static CpuUsage between(CpuSample before, CpuSample after) {
    if (!before.available() || !after.available()) return new CpuUsage(Map.of());
    // /proc/stat counts every CPU's ticks, so this many ticks make one core busy for the whole window.
    double ticksPerCore = (double) (after.machineTotalTicks() - before.machineTotalTicks()) / after.machineCpus();
    Map<String, Long> ticks = new LinkedHashMap<>();
    PARTS.forEach(part -> ticks.put(part, 0L));
    long threadsTotal = 0;
    for (Map.Entry<Long, Long> thread : after.threadTicks().entrySet()) {
      long spent = thread.getValue() - before.threadTicks().getOrDefault(thread.getKey(), 0L);
      ticks.merge(partOf(after.threadNames().get(thread.getKey())), spent, Long::sum);
      threadsTotal += spent;
    }
    long process = after.processTicks() - before.processTicks();
    long machine = after.machineBusyTicks() - before.machineBusyTicks();
    ticks.put(EXITED, Math.max(0, process - threadsTotal));
    ticks.put(OUTSIDE, Math.max(0, machine - process));
    ticks.put(MACHINE, machine);
    Map<String, Double> cores = new LinkedHashMap<>();
    ticks.forEach((part, spent) -> cores.put(part, spent / ticksPerCore));
    return new CpuUsage(cores);
  }

  /** Several windows as one: each part's cores averaged over the windows, weighted by their lengths. */
  static CpuUsage overWindows(List<CpuUsage> windows, List<Duration> lengths) {
    if (windows.stream().anyMatch(w -> w.coresByPart().isEmpty())) return new CpuUsage(Map.of());
    double total = lengths.stream().mapToLong(Duration::toNanos).sum();
    Map<String, Double> cores = new LinkedHashMap<>();
    for (int i = 0; i < windows.size(); i++) {
      double weight = lengths.get(i).toNanos() / total;
      windows.get(i).coresByPart().forEach((part, busy) -> cores.merge(part, busy * weight, Double::sum));
    }
    return new CpuUsage(cores);
  }

  /** By native thread name (15 characters at most): the bench names its client threads, each ActorSystem its own. */
  private static String partOf(String threadName) {
    if (threadName.startsWith(Target.CLIENT_THREAD_PREFIX) || threadName.startsWith("HttpClient-")) return LOAD_GENERATOR;
    if (threadName.startsWith("mock-upstream")) return MOCK;
    if (threadName.startsWith("portti")) return GATEWAY;
    if (threadName.startsWith("C1 Compiler") || threadName.startsWith("C2 Compiler")) return JIT;
    if (threadName.startsWith("GC ") || threadName.startsWith("G1 ") || threadName.startsWith("VM ")) return GC;
    return OTHER_THREADS;
  }
}
