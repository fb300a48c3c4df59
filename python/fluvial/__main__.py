"""``python -m fluvial run job.py ...``"""
import sys

from fluvial.cli import main

sys.exit(main())
