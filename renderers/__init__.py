"""Neural renderers: small networks that imitate each brush so strokes can be optimised by gradient descent."""
