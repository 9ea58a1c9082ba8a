"""Hint ladders for lesson 00: numpy warm-ups (axes, broadcasting, one-hot labels)."""

HINTS = {
    "row_sums": [
        "A sum over an axis makes that axis disappear. Which axis runs along one row: the one "
        "that counts rows, or the one that counts columns?",
        "x has shape (N, D); the answer has shape (N, 1). Summing over axis 1 gives (N,); numpy "
        "can keep the summed axis with length 1 instead of dropping it.",
        "np.sum(x, axis=1, keepdims=True).",
    ],
    "add_bias": [
        "Broadcasting lines shapes up from the RIGHT: a (D,) array added to an (N, D) array is "
        "repeated for every one of the N rows.",
        "x is (N, D) and b is (D,): the shapes already fit, nothing needs reshaping. Return a new "
        "array; writing into x would change the caller's data.",
        "return x + b",
    ],
    "one_hot": [
        "One row per label, one column per class: row i is all zeros except one 1, in the column "
        "numbered t[i]. Labels count from 0.",
        "Start from zeros of shape (N, n_classes), float. Fancy indexing can set one entry per "
        "row at once: rows 0..N-1 paired with the columns in t.",
        "out = np.zeros((len(t), n_classes)); out[np.arange(len(t)), t] = 1.0; return out",
    ],
}
