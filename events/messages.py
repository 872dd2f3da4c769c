"""What travels on the bus: just enough to find and authorise the change; subscribers load it fresh."""

from dataclasses import asdict, dataclass
from typing import Literal

import orjson


@dataclass(frozen=True)
class StatusChanged:
    """A request's or a certificate's status changed; `change_id` is the id of its history row."""

    subject: Literal["request", "certificate"]
    subject_id: int
    company_id: int
    change_id: int

    def to_json(self) -> bytes:
        return orjson.dumps(asdict(self))

    @classmethod
    def from_json(cls, raw: bytes | str) -> "StatusChanged":
        data = orjson.loads(raw)
        if data.get("subject") not in ("request", "certificate"):
            raise ValueError("unknown event subject")
        return cls(
            subject=data["subject"],
            subject_id=int(data["subject_id"]),
            company_id=int(data["company_id"]),
            change_id=int(data["change_id"]),
        )
