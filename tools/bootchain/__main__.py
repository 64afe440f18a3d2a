import sys

from bootchain.cli import main

sys.exit(main())
