"""The competence frameworks lessons are tagged against, read from a file an admin can update
(`config/competences.yaml`): the EU's DigComp 2.2 and Vietnam's basic digital-skills framework.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from bot.config import PROJECT_ROOT

DEFAULT_FRAMEWORK_FILE = PROJECT_ROOT / "config" / "competences.yaml"
FRAMEWORKS = ("digcomp", "vn_framework")


class Competence(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    vi: str
    en: str


class FrameworkFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    digcomp: dict[str, Competence]
    vn_framework: dict[str, Competence]


@dataclass(frozen=True)
class Framework:
    """Known competence codes, by framework, with their names in each language."""

    competences: dict[str, dict[str, Competence]] = field(default_factory=dict)

    def knows(self, framework: str, code: str) -> bool:
        return code in self.competences.get(framework, {})

    def name(self, framework: str, code: str, language: str) -> str:
        competence = self.competences.get(framework, {}).get(code)
        if competence is None:
            return code
        return competence.en if language == "en" else competence.vi


class FrameworkError(ValueError):
    pass


def load_framework(path: Path = DEFAULT_FRAMEWORK_FILE) -> Framework:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        parsed = FrameworkFile.model_validate(raw)
    except OSError as error:
        raise FrameworkError(f"{path}: cannot read the competence framework ({error.strerror})") from error
    except yaml.YAMLError as error:
        raise FrameworkError(f"{path}: not valid YAML ({error})") from error
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise FrameworkError(f"{path}: {where}: {first['msg']}") from error
    return Framework({"digcomp": dict(parsed.digcomp), "vn_framework": dict(parsed.vn_framework)})
