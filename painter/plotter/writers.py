"""Plot writers: G-code, HPGL and a plot SVG with one Inkscape layer per pen (the AxiDraw convention).

Each writer is a plain function `write_x(plot, path, machine)`; PLOT_WRITERS maps a format name to it and
ORIGINS gives the corner the format's machine calls home. The Plot is in paper millimetres with the
origin top-left and y down; G-code and HPGL flip y so their origin is the paper's bottom-left corner.
Every file is written atomically; `write_plot` writes a plot and its preview, both or neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from brushes.geometry import to_hex
from painter.files import atomic_path, write_bytes_atomic
from painter.plotter.plan import Plot
from painter.plotter.preview import preview_png

HPGL_UNITS_PER_MM = 40  # one plotter unit is 0.025 mm
SERVO_SETTLE_S = 0.15  # a hobby servo needs this long to swing; M3/M5 do not wait for it
WELL_DWELL_S = 0.5  # the brush rests in the well this long to load paint
Z_UP = 5.0  # mm above the paper: clears the paper, its tape and a loaded brush's drop
Z_DOWN = 0.0  # the paper's surface, where the machine was zeroed
SERVO_DOWN = 1000.0  # GRBL's full spindle PWM, which pen-plotter servo builds map to "down"
# Limits on what a Machine accepts, so every number written is one a controller can act on (G-code
# also has no exponents, which %g would write for numbers outside 1e-4..1e6).
FEED_RANGE = (1.0, 100_000.0)  # mm/min: from a crawl to faster than any plotter draws
Z_REACH = 200.0  # mm either side of the zeroed paper surface: more than any pen lift
SERVO_RANGE = (0.0, 100_000.0)  # S-words: GRBL's $30 (max spindle speed) may be set up to about this


@dataclass(frozen=True)
class Machine:
    """How the G-code machine lifts and lowers its tool, and how fast it draws. Z values in mm,
    servo values are M3 S-words, feed in mm/min. None picks the mode's default."""

    pen_up: float | None = None  # Z mode: Z_UP; servo mode: M5 (spindle off)
    pen_down: float | None = None  # Z mode: Z_DOWN; servo mode: M3 S<SERVO_DOWN>
    servo: bool = False  # Z moves by default; servo boards (GRBL pen plotters) use M3 S / M5
    feed: float = 1500.0  # drawing speed; a felt pen or brush skips when driven much faster

    def __post_init__(self) -> None:
        """Every value checked here: ValueError naming the field and the value."""
        if not FEED_RANGE[0] <= self.feed <= FEED_RANGE[1]:
            raise ValueError(f"feed must be {FEED_RANGE[0]:g} to {FEED_RANGE[1]:g} mm/min, got {self.feed}")
        low, high = SERVO_RANGE if self.servo else (-Z_REACH, Z_REACH)
        unit = "as a servo S value" if self.servo else "mm of Z"
        for field in ("pen_up", "pen_down"):
            value = getattr(self, field)
            if value is not None and not low <= value <= high:
                raise ValueError(f"{field} must be {low:g} to {high:g} {unit}, got {value}")
        if not self.servo:
            up = Z_UP if self.pen_up is None else self.pen_up
            down = Z_DOWN if self.pen_down is None else self.pen_down
            if not up > down:  # +Z is up on every G-code machine; a swap would drag the pen across the paper
                raise ValueError(f"pen-up Z {up:g} must be above pen-down Z {down:g}")

    def up(self) -> list[str]:
        if self.servo:
            command = "M5" if self.pen_up is None else f"M3 S{round(self.pen_up, 3):g}"
            return [f"{command} ; pen up", f"G4 P{SERVO_SETTLE_S:g}"]
        z = Z_UP if self.pen_up is None else self.pen_up
        return [f"G0 Z{z:.3f} ; pen up"]

    def down(self) -> list[str]:
        if self.servo:
            s = SERVO_DOWN if self.pen_down is None else self.pen_down
            return [f"M3 S{round(s, 3):g} ; pen down", f"G4 P{SERVO_SETTLE_S:g}"]
        z = Z_DOWN if self.pen_down is None else self.pen_down
        return [f"G1 Z{z:.3f} F{self.feed:g} ; pen down"]


def _machine_xy(plot: Plot, points: np.ndarray) -> np.ndarray:
    """Paper mm (y down) -> machine mm with the origin at the paper's bottom-left corner (y up)."""
    return np.stack([points[..., 0], plot.layout.paper_height - points[..., 1]], axis=-1)


def _describe(plot: Plot) -> str:
    s, layout = plot.stats, plot.layout
    return (
        f"{s.layers} pens, {s.paths} paths, paper {layout.paper_width:g} x {layout.paper_height:g} mm, "
        f"tool {plot.tool_width:g} mm, drawn {s.pen_down / 1000:.2f} m, travel {s.pen_up_final / 1000:.2f} m"
    )


def gcode_text(plot: Plot, machine: Machine) -> str:
    """The plot as G-code: millimetres, absolute, origin at the paper's bottom-left corner; the machine
    parks at the origin and pauses (M0) at each colour change."""
    lines = [f"; paint export: {_describe(plot)}", "G21 ; millimetres", "G90 ; absolute coordinates"]
    lines += machine.up()
    well = None if plot.well is None else _machine_xy(plot, np.array(plot.well))
    for n, layer in enumerate(plot.layers):
        label = f"pen {layer.pen.number} {to_hex(layer.pen.colour)}"
        if n == 0:
            lines.append(f"; load {label} before starting")
        else:
            lines += ["G0 X0.000 Y0.000 ; park for the colour change", f"M0 ; change to {label}"]
        lines.append(f"; layer {n + 1}: {label}, {len(layer.paths)} paths")
        dips = set(layer.dips)
        for i, path in enumerate(layer.paths):
            if i in dips:
                assert well is not None
                lines.append(f"G0 X{well[0]:.3f} Y{well[1]:.3f} ; to the paint well")
                lines += machine.down() + [f"G4 P{WELL_DWELL_S:g}"] + machine.up()
            xy = _machine_xy(plot, path)
            lines.append(f"G0 X{xy[0, 0]:.3f} Y{xy[0, 1]:.3f}")
            lines += machine.down()
            lines += [f"G1 X{x:.3f} Y{y:.3f} F{machine.feed:g}" for x, y in xy[1:]]
            lines += machine.up()
    lines += ["G0 X0.000 Y0.000 ; home", "M2 ; end", ""]
    return "\n".join(lines)


def hpgl_text(plot: Plot) -> str:
    """The plot as HPGL: plotter units (40 per mm), origin at the paper's bottom-left corner, one
    pen select (SP) per layer with the layer's pen number."""

    def units(points: np.ndarray) -> str:
        xy = np.rint(_machine_xy(plot, points) * HPGL_UNITS_PER_MM).astype(int).reshape(-1, 2)
        return ",".join(f"{x},{y}" for x, y in xy)

    commands = ["IN", "PA"]
    for layer in plot.layers:
        commands.append(f"SP{layer.pen.number}")
        dips = set(layer.dips)
        for i, path in enumerate(layer.paths):
            if i in dips:
                assert plot.well is not None
                commands += [f"PU{units(np.array(plot.well))}", "PD", "PU"]
            commands += [f"PU{units(path[0])}", f"PD{units(path)}"]
        commands.append("PU0,0")
    commands += ["SP0", ""]
    return ";\n".join(commands[:-1]) + ";\n"


def plot_svg_text(plot: Plot) -> str:
    """The plot as SVG in millimetres, one Inkscape layer per pen labelled '<pen> #rrggbb' in plot
    order, each path a polyline stroked at the tool's width. Well trips are zero-length paths at the
    well (the tool dips there)."""
    layout = plot.layout
    width, height = layout.paper_width, layout.paper_height
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<svg xmlns="http://www.w3.org/2000/svg" '
        'xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" '
        f'width="{width:g}mm" height="{height:g}mm" viewBox="0 0 {width:g} {height:g}">',
        f"<!-- paint export: {_describe(plot)} -->",
    ]
    for n, layer in enumerate(plot.layers):
        colour = to_hex(layer.pen.colour)
        out.append(
            f'<g inkscape:groupmode="layer" inkscape:label="{layer.pen.number} {colour}" id="layer{n + 1}" '
            f'fill="none" stroke="{colour}" stroke-width="{plot.tool_width:g}" '
            'stroke-linecap="round" stroke-linejoin="round">'
        )
        dips = set(layer.dips)
        for i, path in enumerate(layer.paths):
            if i in dips:
                assert plot.well is not None
                x, y = plot.well
                out.append(f'<path class="redip" d="M{x:.3f},{y:.3f}L{x:.3f},{y:.3f}"/>')
            points = "L".join(f"{x:.3f},{y:.3f}" for x, y in path)
            out.append(f'<path d="M{points}"/>')
        out.append("</g>")
    out += ["</svg>", ""]
    return "\n".join(out)


def write_gcode(plot: Plot, path: str | Path, machine: Machine) -> None:
    write_bytes_atomic(path, gcode_text(plot, machine).encode("ascii"))


def write_hpgl(plot: Plot, path: str | Path, machine: Machine) -> None:
    write_bytes_atomic(path, hpgl_text(plot).encode("ascii"))


def write_plot_svg(plot: Plot, path: str | Path, machine: Machine) -> None:
    write_bytes_atomic(path, plot_svg_text(plot).encode("utf-8"))


PLOT_WRITERS = {"gcode": write_gcode, "hpgl": write_hpgl, "svg": write_plot_svg}
# Each format's text, for writing it together with a preview.
PLOT_TEXTS = {
    "gcode": lambda plot, machine: gcode_text(plot, machine).encode("ascii"),
    "hpgl": lambda plot, machine: hpgl_text(plot).encode("ascii"),
    "svg": lambda plot, machine: plot_svg_text(plot).encode("utf-8"),
}
# The corner each kind of machine parks in; AxiDraw's home is the paper's top-left corner.
ORIGINS = {"gcode": "bottom-left", "hpgl": "bottom-left", "svg": "top-left"}


def check_format(name: str) -> str:
    """The format name, normalised; ValueError naming the known formats otherwise."""
    key = name.strip().lower()
    if key not in PLOT_WRITERS:
        raise ValueError(f"unknown plot format {name!r}; use one of {', '.join(PLOT_WRITERS)}")
    return key


def write_plot(
    plot: Plot,
    fmt: str,
    path: str | Path,
    machine: Machine,
    preview: str | Path | None = None,
    text: bytes | None = None,
) -> None:
    """Write the plot in format `fmt` to `path` (or `text`, the plot already written by someone else, e.g.
    vpype's device-aware HPGL) and, if asked, its preview PNG to `preview`: both or neither. Everything is
    made in memory first; each file goes to a temporary name and both are renamed only once both are
    written."""
    data = PLOT_TEXTS[check_format(fmt)](plot, machine) if text is None else text
    if preview is None:
        write_bytes_atomic(path, data)
        return
    png = preview_png(plot, preview)
    with atomic_path(path) as tmp, atomic_path(preview) as tmp_preview:
        tmp.write_bytes(data)
        tmp_preview.write_bytes(png)
