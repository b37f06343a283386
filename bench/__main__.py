import sys

from bench import foundation, live, planning, work

# `python -m bench planning [--quick]` runs only the scheduling-engine benchmark (bench/planning.py).
if sys.argv[1:2] == ["planning"]:
    raise SystemExit(planning.run(sys.argv[2:]))
if sys.argv[1:2] == ["notifications"]:  # the inbox and the notification fan-out (bench/notifications.py)
    raise SystemExit(__import__("bench.notifications").notifications.main(sys.argv[2:]))
if sys.argv[1:2] == ["gantt"]:  # the Gantt chart in Chromium (bench/gantt.py)
    raise SystemExit(__import__("bench.gantt").gantt.run(sys.argv[2:]))
# `python -m bench live [...]` runs only the live-updates benchmark (bench/live.py).
if sys.argv[1:2] == ["live"]:
    raise SystemExit(live.main(sys.argv[2:]))
# `python -m bench work [...]` runs only the work-management benchmark (bench/work.py);
# `python -m bench [...]` (`make bench`) runs the foundation benchmark, then the work one.
if sys.argv[1:2] == ["work"]:
    raise SystemExit(work.main(sys.argv[2:]))
status = foundation.main()
planning.run(["--quick"])  # the scheduling engine (bench/planning.py), a few seconds
shared = [arg for arg in sys.argv[1:] if arg in ("--no-postgres", "--no-write")]
status = max(status, work.main(shared))
raise SystemExit(max(status, live.main([arg for arg in shared if arg == "--no-write"])))
