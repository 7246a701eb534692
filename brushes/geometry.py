"""Anti-aliased raster primitives shared by the brushes, written to match how cairo fills SVG shapes.

All functions work in canvas pixel units with pixel centres at (i + 0.5). Coverage is the box-filter
area estimate cairo uses for anti-aliasing, and layers are composited with source-over exactly as
cairo paints the elements of an SVG group, which is what keeps the raster and SVG forms in agreement.
"""

from __future__ import annotations

import math

import torch


def pixel_grid(height: int, width: int, window: tuple | None, like: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Pixel-centre coordinates of a window of the canvas. Returns xs (1, 1, w) and ys (1, h, 1); or, when
    the window's top and left are tensors (N,), one window per stroke: xs (N, 1, w) and ys (N, h, 1)."""
    top, left, h, w = window if window is not None else (0, 0, height, width)
    xs = torch.arange(w, dtype=like.dtype, device=like.device) + 0.5
    ys = torch.arange(h, dtype=like.dtype, device=like.device) + 0.5
    if isinstance(top, torch.Tensor):
        corner = dict(dtype=like.dtype, device=like.device)
        return xs.view(1, 1, w) + left.to(**corner).view(-1, 1, 1), ys.view(1, h, 1) + top.to(**corner).view(-1, 1, 1)
    return xs.view(1, 1, w) + left, ys.view(1, h, 1) + top


def long_side(height: int, width: int) -> int:
    """Lengths in a stroke are fractions of this many pixels."""
    return max(height, width)


def interval_coverage(d: torch.Tensor, half: torch.Tensor) -> torch.Tensor:
    """How much of a one-pixel-wide window centred at d lies inside [-half, half] (0..1)."""
    inside = torch.minimum(d + 0.5, half) - torch.maximum(d - 0.5, -half)
    return inside.clamp(0.0, 1.0)


def rotate_into(
    xs: torch.Tensor, ys: torch.Tensor, cx: torch.Tensor, cy: torch.Tensor, theta: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Coordinates along (u) and across (v) a direction theta (radians, y pointing down, as SVG's
    rotate()). cx, cy, theta: (N, 1, 1). Returns u, v: (N, h, w)."""
    dx, dy = xs - cx, ys - cy
    c, s = torch.cos(theta), torch.sin(theta)
    return dx * c + dy * s, -dx * s + dy * c


def box_extent(
    cx: torch.Tensor, cy: torch.Tensor, w: torch.Tensor, h: torch.Tensor, theta: torch.Tensor
) -> torch.Tensor:
    """Axis-aligned bounds of rotated boxes, one pixel of margin. All inputs (N,). Returns (N, 4)."""
    c, s = torch.cos(theta).abs(), torch.sin(theta).abs()
    ex = (w * c + h * s) / 2 + 1
    ey = (w * s + h * c) / 2 + 1
    return torch.stack([cx - ex, cy - ey, cx + ex, cy + ey], dim=1)


def bezier_points(control: torch.Tensor, segments: int) -> torch.Tensor:
    """Points along quadratic Bezier curves. control: (N, 3, 2). Returns (N, segments + 1, 2)."""
    t = torch.linspace(0.0, 1.0, segments + 1, dtype=control.dtype, device=control.device).view(1, -1, 1)
    p0, p1, p2 = control[:, 0:1], control[:, 1:2], control[:, 2:3]
    return (1 - t) ** 2 * p0 + 2 * (1 - t) * t * p1 + t**2 * p2


def round_cone_coverage(
    xs: torch.Tensor,
    ys: torch.Tensor,
    a: torch.Tensor,
    b: torch.Tensor,
    ra: torch.Tensor,
    rb: torch.Tensor,
    scales: tuple[float, ...] = (1.0,),
) -> list[torch.Tensor]:
    """Coverage of "round cones": the convex hull of a disc of radius ra at a and one of radius rb
    at b, i.e. a band that tapers linearly between round ends, once per radius scale.
    a, b: (N, S, 2); ra, rb: (N, S). Returns one (N, S, h, w) tensor per scale."""
    ax, ay = a[..., 0, None, None], a[..., 1, None, None]  # (N, S, 1, 1)
    ex, ey = b[..., 0, None, None] - ax, b[..., 1, None, None] - ay
    length = torch.sqrt(ex * ex + ey * ey).clamp_min(1e-6)
    px, py = xs.unsqueeze(-3) - ax, ys.unsqueeze(-3) - ay  # (N, S, h, w) by broadcasting
    along = (px * ex + py * ey) / length
    across = (py * ex - px * ey).abs() / length
    dist_a = torch.sqrt(px * px + py * py)
    dist_b = torch.sqrt((along - length) ** 2 + across**2)
    covers = []
    for scale in scales:
        r0, r1 = ra[..., None, None] * scale, rb[..., None, None] * scale
        sin_t = ((r0 - r1) / length).clamp(-1.0, 1.0)  # tilt of the tangent lines against the axis
        cos_t = torch.sqrt((1 - sin_t * sin_t).clamp_min(0.0))
        # Where the point projects onto the tangent line: before its touch point on disc a, past
        # its touch point on disc b, or in between (then the band's local radius is interpolated).
        foot = along * cos_t - across * sin_t
        span = (length * cos_t).clamp_min(1e-6)
        radius = r0 + (r1 - r0) * (foot / span).clamp(0.0, 1.0)
        side = along * sin_t + across * cos_t - r0 + radius  # distance from the band's core line
        before, past = foot < 0, foot > span
        dist = torch.where(before, dist_a, torch.where(past, dist_b, side))
        radius = torch.where(before, r0, torch.where(past, r1, radius))
        cover = interval_coverage(dist, radius)
        # One disc inside the other: the hull is just the larger disc.
        nested = (r0 - r1).abs() >= length
        if bool(nested.any()):
            discs = torch.maximum(interval_coverage(dist_a, r0), interval_coverage(dist_b, r1))
            cover = torch.where(nested, discs, cover)
        covers.append(cover)
    return covers


def round_cone_path(a, b, ra: float, rb: float) -> str:
    """SVG path data of one round cone (see round_cone_coverage), or of the larger disc when one
    disc contains the other. a, b: (x, y) pixel points."""
    (ax, ay), (bx, by) = a, b
    length = math.hypot(bx - ax, by - ay)
    if abs(ra - rb) >= length:
        (cx, cy), r = ((ax, ay), ra) if ra >= rb else ((bx, by), rb)
        arc = f"A{r:.2f},{r:.2f} 0 1 0"
        return f"M{cx - r:.2f},{cy:.2f}{arc} {cx + r:.2f},{cy:.2f}{arc} {cx - r:.2f},{cy:.2f}Z"
    ex, ey = (bx - ax) / length, (by - ay) / length
    nx, ny = -ey, ex
    sin_t = (ra - rb) / length
    cos_t = math.sqrt(max(0.0, 1 - sin_t * sin_t))

    def touch(cx: float, cy: float, r: float, side: float) -> str:
        return f"{cx + r * (sin_t * ex + side * cos_t * nx):.2f},{cy + r * (sin_t * ey + side * cos_t * ny):.2f}"

    big_b, big_a = int(sin_t < 0), int(sin_t > 0)  # the cap on the wider end spans more than 180 degrees
    return (
        f"M{touch(ax, ay, ra, 1)}L{touch(bx, by, rb, 1)}"
        f"A{rb:.2f},{rb:.2f} 0 {big_b} 0 {touch(bx, by, rb, -1)}"
        f"L{touch(ax, ay, ra, -1)}A{ra:.2f},{ra:.2f} 0 {big_a} 0 {touch(ax, ay, ra, 1)}Z"
    )


def chain_alpha(
    xs: torch.Tensor,
    ys: torch.Tensor,
    points: torch.Tensor,
    radii: torch.Tensor,
    layers: tuple[tuple[float, float], ...],
) -> torch.Tensor:
    """Alpha of a polyline drawn as round cones in nested layers.

    This is how an SVG group of round-cone paths renders: each layer (radius scale, opacity) is a
    group of opaque pieces (their union), and the layers are composited with their group opacity.
    points (N, S + 1, 2), radii at the points (N, S + 1). Returns (N, 1, h, w).
    """
    covers = round_cone_coverage(
        xs, ys, points[:, :-1], points[:, 1:], radii[:, :-1], radii[:, 1:], tuple(sc for sc, _ in layers)
    )  # one (N, S, h, w) per layer
    alpha = torch.zeros_like(covers[0][:, :1])
    for (_, opacity), cover in zip(layers, covers, strict=True):
        union = 1 - torch.prod(1 - cover, dim=1, keepdim=True)  # (N, 1, h, w)
        alpha = union * opacity + alpha * (1 - union * opacity)
    return alpha


def linear_gradient(xs: torch.Tensor, ys: torch.Tensor, start: torch.Tensor, end: torch.Tensor) -> torch.Tensor:
    """Position 0..1 of every pixel along a gradient from `start` to `end` (N, 2 pixels), padded
    beyond both ends, as SVG's linearGradient; 1 everywhere when start == end, as SVG does.
    Returns (N, 1, h, w)."""
    sx, sy = start[:, 0, None, None], start[:, 1, None, None]  # (N, 1, 1)
    dx, dy = end[:, 0, None, None] - sx, end[:, 1, None, None] - sy
    span = dx * dx + dy * dy
    t = ((xs - sx) * dx + (ys - sy) * dy) / span.clamp_min(1e-9)
    return torch.where(span > 1e-9, t.clamp(0.0, 1.0), torch.ones_like(t)).unsqueeze(1)


def unpremultiply(premult: torch.Tensor, alpha: torch.Tensor, fallback: torch.Tensor) -> torch.Tensor:
    """Straight colour from premultiplied colour; `fallback` (N, 3, 1, 1) where nothing was painted."""
    safe = alpha > 1e-6
    colour = torch.where(safe, premult / alpha.clamp_min(1e-6), fallback.expand_as(premult))
    return colour.clamp(0.0, 1.0)


def to_hex(rgb) -> str:
    """'#rrggbb' from three values in [0, 1]."""
    r, g, b = (min(255, max(0, int(round(float(c) * 255)))) for c in rgb)
    return f"#{r:02x}{g:02x}{b:02x}"


def degrees(angle01: float) -> float:
    """Stroke angle parameter in [0, 1] to degrees in [0, 180]."""
    return float(angle01) * 180.0


ANGLE_SCALE = math.pi  # angle parameter [0, 1] -> radians [0, pi]


def box_placement(
    xy: torch.Tensor,
    size: float,
    thinness: tuple[float, float],
    generator: torch.Generator | None,
) -> torch.Tensor:
    """Shape parameters (x, y, length, thickness, angle) of boxes about `size` long centred at xy,
    thickness a random fraction in `thinness` of the length, random angle. Shape: (N, 5)."""
    n = xy.shape[0]
    length = size * (0.75 + 0.5 * torch.rand(n, generator=generator))
    thick = length * (thinness[0] + (thinness[1] - thinness[0]) * torch.rand(n, generator=generator))
    angle = torch.rand(n, generator=generator)
    return torch.stack([xy[:, 0], xy[:, 1], length, thick, angle], dim=1).clamp(0, 1)
