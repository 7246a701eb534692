"""Renderer checkpoints: where weights live, writing them, and reading them back with every check a
file from elsewhere needs (it may be empty, not a checkpoint, for another brush, the wrong shape, or
hold NaN). Inference only: nothing here imports the training code.

Weights are named by `resolve_weights(brush, spec)`:
  None or "shipped"   the weights shipped in the package (renderers/weights/<brush>.pt)
  a plain name        the user's own, e.g. "trained" -> <user folder>/renderers/<brush>-trained.pt
  anything else       a file path, e.g. "weights.pt", "./mine", "~/nets/oil.pt"
The user folder is $PAINT_HOME if set, else the platform's folder for user data (see user_data_dir).
"""

from __future__ import annotations

import re
from pathlib import Path

import torch

from brushes import Brush
from brushes.home import user_data_dir
from renderers.atomic import atomic_path, special_kind
from renderers.model import NeuralRenderer, RendererConfig

SHIPPED_DIR = Path(__file__).parent / "weights"
SHIPPED = "shipped"  # the name of the package's own weights
TRAINED = "trained"  # the name `paint train-renderer` writes to unless told otherwise
_NAME = re.compile(r"^[A-Za-z0-9_-]+$")  # a name, not a path: no dot, no slash
REQUIRED = ("brush", "fingerprint", "config", "model")


def shipped_weights(brush: Brush) -> Path:
    """Where the package keeps the trained weights for `brush`."""
    return SHIPPED_DIR / f"{brush.name}.pt"


def user_weights(brush: Brush, name: str = TRAINED) -> Path:
    """Where the user's weights called `name` for `brush` live."""
    return user_data_dir() / "renderers" / f"{brush.name}-{name}.pt"


def resolve_weights(brush: Brush, spec: str | Path | None) -> Path:
    """The checkpoint file `spec` means for `brush` (see the module docstring): None or "shipped" for the
    package's weights, a plain name (letters, digits, - and _) for the user's own, else a path.
    Nothing is read; load_checkpoint says whether the file is there and usable."""
    if spec is None or spec == SHIPPED:
        return shipped_weights(brush)
    if isinstance(spec, str) and _NAME.match(spec):
        return user_weights(brush, spec)
    return Path(spec).expanduser()


def save_checkpoint(path: str | Path, net: NeuralRenderer, brush: Brush, state: dict) -> None:
    """Write the model, its config and the brush fingerprint plus `state` (step, optimiser, ...) atomically."""
    payload = {
        "brush": brush.name,
        "fingerprint": brush.fingerprint(),
        "config": net.config.to_dict(),
        "model": net.state_dict(),
        **state,
    }
    with atomic_path(path) as tmp:
        torch.save(payload, tmp)


def load_checkpoint(path: str | Path, brush: Brush, device: torch.device | str = "cpu", same_spec: bool = True) -> dict:
    """Read and check a checkpoint for `brush`: FileNotFoundError if there is no file, ValueError naming
    the file and the problem if it is not a checkpoint, is for another brush or (with `same_spec`, the
    default) another version of its spec, does not fit the network its config describes, or holds NaN or
    infinite weights. Without `same_spec`, weights of an earlier version of the brush pass: a start for
    training its new version."""
    path = Path(path)
    where = f"renderer weights {str(path)!r}"
    kind = special_kind(path)
    if kind is not None:
        raise ValueError(f"{where}: {kind}, not a file")
    if not path.exists():
        raise FileNotFoundError(f"no {where}")
    if path.stat().st_size == 0:
        raise ValueError(f"{where}: the file is empty")
    try:
        checkpoint = torch.load(path, map_location=device, weights_only=True)
    except Exception as err:  # torch raises many kinds (unpickling, zip, EOF, runtime) for a bad file
        raise ValueError(f"{where}: not a checkpoint torch can read ({type(err).__name__})") from None
    if not isinstance(checkpoint, dict):
        raise ValueError(f"{where}: holds a {type(checkpoint).__name__}, not a checkpoint")
    missing = [key for key in REQUIRED if key not in checkpoint]
    if missing:
        raise ValueError(f"{where}: not a renderer checkpoint, it has no {', '.join(map(repr, missing))}")
    if checkpoint["brush"] != brush.name:
        raise ValueError(f"{where} are for brush {checkpoint['brush']!r}, not {brush.name!r}")
    if same_spec and checkpoint["fingerprint"] != brush.fingerprint():
        raise ValueError(
            f"{where} were trained for spec {checkpoint['fingerprint']} of brush {brush.name!r}, which has "
            f"changed since (now {brush.fingerprint()}); retrain the renderer for {brush.name!r}"
        )
    config = _check_config(checkpoint["config"], brush, where)
    _check_model(checkpoint["model"], config, where)
    return checkpoint


def _check_config(data: object, brush: Brush, where: str) -> RendererConfig:
    """The checkpoint's network config, which must be valid and sized for `brush`'s spec."""
    if not isinstance(data, dict):
        raise ValueError(f"{where}: 'config' is a {type(data).__name__}, not a dict")
    try:
        config = RendererConfig.from_dict(data)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{where}: bad network config: {err}") from None
    spec = RendererConfig.for_brush(brush)
    for field in ("brush", "params", "shape_indices", "alpha_indices"):
        if getattr(config, field) != getattr(spec, field):
            raise ValueError(f"{where}: config {field} {getattr(config, field)!r} does not match the brush spec")
    return config


def _check_model(state: object, config: RendererConfig, where: str) -> None:
    """The weights must be exactly the tensors the config's network has, all finite. The network is
    built on the meta device (no memory), so a config with huge layers costs nothing to check."""
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise ValueError(f"{where}: 'model' is not a dict of tensors")
    with torch.device("meta"):
        wanted = NeuralRenderer(config).state_dict()
    missing, extra = sorted(set(wanted) - set(state)), sorted(set(state) - set(wanted))
    if missing or extra:
        first = f"{missing[0]!r} missing" if missing else f"unexpected {extra[0]!r}"
        raise ValueError(f"{where}: the weights do not fit the network in their config ({first})")
    for name, tensor in wanted.items():
        if state[name].shape != tensor.shape:
            raise ValueError(
                f"{where}: {name!r} has shape {tuple(state[name].shape)}, the network needs {tuple(tensor.shape)}"
            )
        if state[name].is_floating_point() and not torch.isfinite(state[name]).all():
            raise ValueError(f"{where}: {name!r} holds NaN or infinite values")


def build_from_checkpoint(checkpoint: dict) -> NeuralRenderer:
    """The network a checked checkpoint describes, with its weights (stored halves become floats)."""
    net = NeuralRenderer(RendererConfig.from_dict(checkpoint["config"]))
    net.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in checkpoint["model"].items()})
    return net
