"""paint as a vpype plugin: the `paintread` command reads a stroke file into vpype layers, one per pen,
with the paths, fills, pen colours and layer names that `paint export` makes, so that the rest of vpype
(linesort, linemerge, splitdist, layout, gwrite and its device profiles) applies:

    vpype paintread strokes.json --pens 4 linesort write out.svg

Installed with `pip install "paint-strokes[vpype]"`, which registers the command in the
`vpype.plugins` entry-point group. `plot_document` is the library half: a Plot in, a vpype Document
out, nothing printed or written.
"""

from __future__ import annotations

import io

import click
import vpype as vp
import vpype_cli

from brushes.geometry import to_hex
from painter.plotter.plan import Layer, Plot, PlotSettings, plan_plot
from painter.strokes import load_painting

PX_PER_MM = 96 / 25.4  # vpype's unit is the CSS pixel, 1/96 inch


def layer_name(layer: Layer) -> str:
    """'<pen> #rrggbb', the name `paint export --to svg` gives the layer (the AxiDraw convention)."""
    return f"{layer.pen.number} {to_hex(layer.pen.colour)}"


def plot_document(plot: Plot) -> vp.Document:
    """The plot as a vpype Document: the paper as page size, and layer k (1, 2, ... in plot order) holding
    the k-th layer's paths with its pen's colour, name and the tool width. Paint-well trips are left
    out: vpype has no paint well (its `splitdist` splits a layer by distance drawn instead)."""
    layout = plot.layout
    document = vp.Document(page_size=(layout.paper_width * PX_PER_MM, layout.paper_height * PX_PER_MM))
    for layer_id, layer in enumerate(plot.layers, start=1):
        lines = vp.LineCollection([(path[:, 0] + 1j * path[:, 1]) * PX_PER_MM for path in layer.paths])  # (K,) complex
        lines.set_property(vp.METADATA_FIELD_NAME, layer_name(layer))
        lines.set_property(vp.METADATA_FIELD_COLOR, vp.Color(to_hex(layer.pen.colour)))
        lines.set_property(vp.METADATA_FIELD_PEN_WIDTH, plot.tool_width * PX_PER_MM)
        document.add(lines, layer_id, with_metadata=True)
    return document


def device_hpgl(plot: Plot, device: str, paper: str) -> str:
    """The plot as HPGL for one plotter, through vpype's device profiles: its units, origin, paper limits
    and set-up commands, e.g. device 'hp7475a' with paper 'a4'. ValueError naming the device or paper
    when vpype has no profile for them."""
    document = plot_document(plot)
    landscape = plot.layout.paper_width > plot.layout.paper_height
    out = io.StringIO()
    try:
        vp.write_hpgl(out, document, paper, landscape, False, device, None, absolute=True, quiet=True)
    except ValueError as err:
        raise ValueError(f"HPGL for device {device!r} on paper {paper!r}: {err}") from None
    return out.getvalue()


class FileThenOptions(click.Command):
    """A command whose options may follow its file, as in `paintread strokes.json --pens 4 linesort`.
    vpype chains commands by ending a command's options at its first argument; here the options that
    follow the file are moved before it, up to the first word that is neither one of them nor its
    value, which starts the next command (`write --landscape` keeps its own --landscape)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        options = [p for p in self.params if isinstance(p, click.Option)]
        with_value = {name for p in options if not p.is_flag for name in p.opts}
        flags = {name for p in options if p.is_flag for name in p.opts} | set(self.get_help_option_names(ctx))
        mine: list[str] = []
        file: list[str] = []
        i = 0
        while i < len(args):
            token = args[i]
            if token.split("=", 1)[0] in with_value:
                taken = 1 if "=" in token else 2
                mine += args[i : i + taken]
                i += taken
            elif token in flags:
                mine.append(token)
                i += 1
            elif not file and (token == "-" or not token.startswith("-")):
                file.append(token)
                i += 1
            else:
                break
        return super().parse_args(ctx, mine + file + args[i:])


@click.command(cls=FileThenOptions)
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--paper", default="a4", show_default=True, help="a4, a3, letter or WxHmm, e.g. 300x200mm")
@click.option("--margin", type=float, default=10.0, show_default=True, metavar="MM", help="blank border")
@click.option("--landscape", "orientation", flag_value="landscape", help="turn the paper")
@click.option("--portrait", "orientation", flag_value="portrait", help="(default: follow the painting)")
@click.option("--pens", type=int, help="quantise colours to N pens  [default: its own if painted in a palette, else 4]")
@click.option("--palette", metavar="HEXES", help='your own colours, e.g. "#000000,#c03020,#2050a0"')
@click.option("--dark-first", is_flag=True, help="plot dark colours first (default: light first)")
@click.option("--keep-order", is_flag=True, help="for opaque paint: change pens as often as the layering needs")
@click.option("--tool-width", type=float, default=1.0, show_default=True, metavar="MM", help="pen or brush width")
@click.option("--no-reverse", is_flag=True, help="never draw a path backwards when ordering")
@click.option("--join", type=float, metavar="MM", help="stay down across gaps up to MM  [default: 1.5 tool widths]")
@click.option("--keep-hidden", is_flag=True, help="also draw what later strokes cover in the painting")
@vpype_cli.global_processor
def paintread(
    document: vp.Document,
    file: str,
    paper: str,
    margin: float,
    orientation: str | None,
    pens: int | None,
    palette: str | None,
    dark_first: bool,
    keep_order: bool,
    tool_width: float,
    no_reverse: bool,
    join: float | None,
    keep_hidden: bool,
) -> vp.Document:
    """Read a paint stroke file (strokes.json) as one layer per pen.

    The options are those of `paint export`; the layers, paths, colours and names are the ones it
    writes. Layer ids follow the plot order (light pens first unless --dark-first), and each layer is
    named '<pen> #rrggbb'. Lengths are millimetres.

    Example:

        vpype paintread strokes.json --pens 4 linesort gwrite -p gcode out.gcode
    """
    if pens is not None and palette is not None:
        raise click.UsageError("give either --pens or --palette, not both")
    try:
        settings = PlotSettings(
            paper=paper,
            margin=margin,
            orientation=orientation or "auto",
            tool_width=tool_width,
            pens=pens,
            palette=palette,
            dark_first=dark_first,
            keep_order=keep_order,
            reverse=not no_reverse,
            join=join,
            hide_covered=not keep_hidden,
            origin="top-left",  # vpype's origin, like paper coordinates: top-left, y down
        )
        plot = plan_plot(load_painting(file), settings)
    except (ValueError, OSError) as err:
        raise click.ClickException(f"paintread: {err}") from None
    document.extend(plot_document(plot))
    return document
