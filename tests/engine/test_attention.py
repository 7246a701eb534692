"""Where the eye looks: faces and detail count more when strokes are shared out, and a face keeps its features."""

from __future__ import annotations

import torch
from skimage import data

import brushes
from painter import PaintJob, PaintSettings
from painter.canvas import render_painting
from painter.engine.attention import attention_map, face_mask
from painter.engine.painter import make_painter
from painter.engine.schedule import ScheduleOptions, build_schedule
from painter.files import from_uint8


def _paint(target, strokes, attention, brush="rectangle"):
    the_brush = brushes.get_brush(brush)
    schedule = build_schedule(the_brush, strokes, *target.shape[1:], ScheduleOptions("draft", neural=False, steps=6))
    painter = make_painter(the_brush, target, schedule, resolution=16, attention=attention)
    for _ in painter.run():
        pass
    return painter.painting()


def test_a_detailed_region_gets_more_strokes_than_a_flat_one_as_far_from_the_canvas():
    """Left: fine stripes of 0.3 and 0.7; right: flat 0.5. On a white canvas both miss by 0.5 on average, so
    error alone shares strokes evenly; the attention map gives the detailed half more."""
    target = torch.full((3, 64, 128), 0.5)
    target[:, :, :64] = 0.3 + 0.4 * (torch.arange(64).view(1, 1, -1) // 2 % 2)
    x = brushes.get_brush("rectangle").kinds("x")[0]

    def left_share(attention):
        strokes = _paint(target, 60, attention).strokes
        return float((strokes[:, x] < 0.5).float().mean())

    looked, plain = left_share(attention_map(target, faces=False)), left_share(None)
    assert looked > 0.5 and looked > plain + 0.05, (looked, plain)  # measured: 0.72 against 0.63


def test_the_face_detector_finds_the_astronauts_face():
    photo = from_uint8(data.astronaut())  # (3, 512, 512); her face is at rows ~60-160, columns ~170-280
    mask = face_mask(torch.nn.functional.interpolate(photo[None], size=(256, 256), mode="area")[0])
    assert mask[50:75, 95:130].mean() > 0.9  # the middle of her face
    assert mask.mean() < 0.1  # and not much else


def test_a_face_keeps_its_eyes_and_mouth_at_a_small_budget():
    """A light oval with two dark eyes and a dark mouth, painted as `paint` does at draft quality with 60 strokes:
    the eyes and the mouth are still clearly darker than the cheeks between them."""
    ys, xs = torch.meshgrid(torch.arange(96).float(), torch.arange(96).float(), indexing="ij")
    target = torch.full((3, 96, 96), 0.35)
    face = ((ys - 48) / 40) ** 2 + ((xs - 48) / 30) ** 2 <= 1
    target[:, face] = torch.tensor([0.95, 0.8, 0.7])[:, None]
    for cx in (36, 60):
        target[:, ((ys - 38) ** 2 + (xs - cx) ** 2) <= 16] = 0.05
    target[:, (ys - 66).abs().le(2) & (xs - 48).abs().le(9)] = 0.1
    photo = (target.permute(1, 2, 0).numpy() * 255).round().astype("uint8")
    job = PaintJob(photo, PaintSettings(strokes=60, size=96, quality="draft", animation="none"))
    for _ in job.run():
        pass
    image = render_painting(job.painting()).mean(dim=0)  # (96, 96)
    cheeks = image[50:56, 30:38].mean()
    for feature in (image[36:41, 34:39], image[36:41, 58:63], image[65:68, 42:55]):
        assert feature.mean() < cheeks - 0.25, (float(feature.mean()), float(cheeks))
