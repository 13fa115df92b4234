import sys

from . import main

if __name__ == "__main__":   # guarded: suites may start worker processes, which re-import this module
    sys.exit(main())
