"""The one transition helper for every state machine (an alliance's stage, status and
management model; intake requests; tasks; and those apps add later): edges are declared as
data, checked here, and a refusal always has the same shape: DomainError("illegal_transition")
with the from state, the to state and the states allowed from where it is."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from config.errors import DomainError


@dataclass(frozen=True)
class StateMachine:
    """`edges[state]` is the set of states reachable in one move; a state absent from `edges`,
    or mapped to nothing, is final. `noun` names what moves in messages ("status", "task")."""

    noun: str
    edges: Mapping[str, frozenset[str]]
    labels: Mapping[str, str] | None = None

    @classmethod
    def from_pairs(cls, noun: str, pairs: Iterable[tuple[str, str]], **kwargs) -> "StateMachine":
        edges: dict[str, set[str]] = {}
        for source, target in pairs:
            edges.setdefault(source, set()).add(target)
        return cls(noun, {k: frozenset(v) for k, v in edges.items()}, **kwargs)

    def allowed_from(self, current: str) -> list[str]:
        return sorted(self.edges.get(current, ()))

    def can(self, current: str, to: str) -> bool:
        return to in self.edges.get(current, ())

    def check(self, current: str, to: str, *, detail: str = "") -> None:
        """Refuse a move that is not an edge: 409 illegal_transition, nothing written."""
        if self.can(current, to):
            return
        raise illegal_transition(self, current, to, detail=detail)


def illegal_transition(machine: StateMachine, current: str, to: str, *, detail: str = ""):
    allowed = machine.allowed_from(current)
    if not detail:
        if current == to:
            detail = f"The {machine.noun} is already {current}."
        elif allowed:
            detail = (
                f"The {machine.noun} cannot move from {current} to {to}; "
                f"from {current}: {', '.join(allowed)}."
            )
        else:
            detail = f"The {machine.noun} is {current}: it is final."
    return DomainError(
        "illegal_transition", detail, **{"from": current, "to": to, "allowed": allowed}
    )
