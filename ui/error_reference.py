"""An unexpected error as a short reference: the full trace goes to the server log, the user sees only the
reference. A leaf module (standard library only), so any ui module may report an error without an import circle.
"""

from __future__ import annotations

import logging
import traceback
import uuid

log = logging.getLogger("finance_dashboard")


def report_error(error: BaseException) -> str:
    """Log the full trace under a short reference and show the user only the reference."""
    reference = uuid.uuid4().hex[:8]
    log.error("error reference %s\n%s", reference, "".join(traceback.format_exception(error)))
    return reference
