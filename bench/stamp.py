#!/usr/bin/env python3
# Each line of stdin to stdout, after the CLOCK_REALTIME nanoseconds at
# which it was read: the latency bench's clock on nstrace's output.
import sys, time

out = sys.stdout
for line in sys.stdin.buffer:
    out.write("%d %s" % (time.time_ns(), line.decode("utf-8", "replace")))
out.flush()
