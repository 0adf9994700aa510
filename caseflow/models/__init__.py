"""All models, imported here so Alembic and the app see the whole schema."""
from caseflow.models.cases import (  # noqa: F401
    ORIGINS,
    SEVERITIES,
    Attachment,
    Case,
    CaseEvent,
    DeadlineChange,
    Notification,
    SweepMark,
)
from caseflow.models.documents import Document, DocumentCounter  # noqa: F401
from caseflow.models.inputs import (  # noqa: F401
    ControlCheck,
    CostRecord,
    HolidayEntry,
    IncentiveAward,
    RiskPoint,
    Sanction,
    SupervisionFinding,
    SurveyResult,
)
from caseflow.models.scoring import (  # noqa: F401
    DIMENSIONS,
    EligibilityRecord,
    PeriodResult,
    Revision,
    ScoreEntry,
    ScoringScheme,
    YearStatus,
)
from caseflow.models.signals import CATEGORIES, CHANNELS, SIGNAL_STATUSES, Signal, SignalReply  # noqa: F401
from caseflow.models.units import UNIT_KINDS, Station, Unit, station_area  # noqa: F401
from caseflow.models.users import ROLES, AccessLog, ApiToken, User  # noqa: F401
