"""The user reference of every module, written from the catalogue (`python -m modules.reference`).

`docs/modules.md` is this output; a test keeps it in step with the declarations.
"""

from __future__ import annotations

from typing import Any

from modules.errors import ERROR_CODES
from modules.registry import catalogue


def _value(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return f"`{value}`"


def _number(x: float) -> str:
    return f"{int(x):,}" if float(x).is_integer() else f"{x:g}"


def _bounds(param: dict[str, Any]) -> str:
    parts = []
    if "choices" in param:
        choices = (f"`{c['value']}` ({c['label']})" for c in param["choices"])
        parts.append(" \\| ".join(choices).replace("||", "\\|\\|"))
    if "min" in param:
        parts.append(f"{'>' if param.get('min_exclusive') else '≥'} {_number(param['min'])}")
    if "max" in param:
        parts.append(f"{'<' if param.get('max_exclusive') else '≤'} {_number(param['max'])}")
    if param.get("nullable"):
        parts.append("may be empty")
    return "; ".join(parts)


def _shown(param: dict[str, Any]) -> str:
    rules = param.get("visible_when") or {}
    return ", ".join(f"{k} = {_value(v)}" for k, v in rules.items()) or "always"


def module_reference() -> str:
    """Markdown: one section per module with its ports, parameters and error codes."""
    lines = [
        "# Module reference",
        "",
        "Written from the module declarations by `python -m modules.reference` — the same declarations that",
        "drive the palette, the parameter panel, validation and execution. Decisions where the original",
        "product was vague are listed in",
        "[`modules/README.md`](../modules/README.md#decisions-beyond-the-spec).",
        "",
    ]
    for module in catalogue():
        lines += [f"## {module['name']} (`{module['id']}`)", "", f"*{module['category']}*", ""]
        lines += [module["description"], ""]
        for title, key in (("Inputs", "inputs"), ("Outputs", "outputs")):
            if module[key]:
                ports = ", ".join(
                    f"{p['name']} (`{p['id']}`: {p['type']}{', optional' if p.get('optional') else ''})"
                    for p in module[key]
                )
                lines += [f"**{title}:** {ports}", ""]
        if module["params"]:
            lines += [
                "| Parameter | Wire id | Default | Allowed | Shown when | What it does |",
                "|---|---|---|---|---|---|",
            ]
            for p in module["params"]:
                description = p.get("description", "").replace("|", "\\|").replace("\n", " ")
                row = [
                    p["name"],
                    f"`{p['id']}`",
                    _value(p.get("default")),
                    _bounds(p),
                    _shown(p),
                    description,
                ]
                lines.append("| " + " | ".join(row) + " |")
            lines.append("")
        errors = module.get("errors") or []
        if errors:
            lines += ["**Errors:**", ""]
            lines += [
                f"- `{e['code']}` {ERROR_CODES.get(e['code'], '')}: {e.get('when', '')}" for e in errors
            ]
            lines.append("")
    lines += ["## Error codes", "", "| Code | Meaning |", "|---|---|"]
    lines += [f"| {code} | {meaning} |" for code, meaning in ERROR_CODES.items()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(module_reference(), end="")
