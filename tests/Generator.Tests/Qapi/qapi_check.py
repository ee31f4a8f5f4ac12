# Runs QEMU's own scripts/qapi (from the QEMU source tree given first; nothing of QEMU's is kept
# here) on each schema file given after it, and prints one line per file: its name, then "ok" or
# "error" and QEMU's message. The tests compare this verdict with ours, case by case.
import os
import sys
sys.path.insert(0, sys.argv[1] + '/scripts')
from qapi.error import QAPIError
from qapi.schema import QAPISchema

for path in sys.argv[2:]:
    try:
        QAPISchema(path)
        verdict = 'ok'
    except QAPIError as e:
        verdict = 'error ' + str(e).replace('\n', ' ')
    except Exception as e:  # QEMU 7.2's parser asserts on some bad input instead of reporting it
        verdict = 'error (scripts/qapi failed: ' + type(e).__name__ + ')'
    print(os.path.basename(path), verdict, flush=True)
