import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / 'io'))

from local_servers import closed_port_url, http_mirror  # noqa: E402,F401  (fixtures)
