"""Writers of small MIML files in the formats gmiml.io reads (used by tests/io and
tests/datasets)."""
import numpy as np
from scipy.io import savemat

__all__ = ['wu_texts', 'write_wu_files', 'arff_text', 'mulan_xml', 'cell', 'save_mat']


def wu_texts(bags, Y, ids=None, crlf=True, trailing_tab=True, label_coding='pm1'):
    """The (instances.txt, labels.txt) contents of bags/Y in the Wu et al. format."""
    ids = ids or [f"P{i:05d}" for i in range(len(bags))]
    end = ('\t' if trailing_tab else '') + ('\r\n' if crlf else '\n')
    inst, lab = [], []
    for i, b in enumerate(bags):
        inst.append(f">{ids[i]}" + ('\r\n' if crlf else '\n'))
        for row in np.atleast_2d(b):
            inst.append('\t'.join(f"{v:.3f}" for v in row) + end)
        lab.append(f">{ids[i]}" + ('\r\n' if crlf else '\n'))
        vals = [(1 if y else -1) if label_coding == 'pm1' else int(y) for y in Y[i]]
        lab.append('\t'.join(str(v) for v in vals) + end)
    return ''.join(inst), ''.join(lab)


def write_wu_files(folder, bags, Y, **kw):
    folder.mkdir(parents=True, exist_ok=True)
    inst, lab = wu_texts(bags, Y, **kw)
    (folder / 'instances.txt').write_bytes(inst.encode())
    (folder / 'labels.txt').write_bytes(lab.encode())
    return folder / 'instances.txt', folder / 'labels.txt'


def arff_text(bags, Y, label_names, ids=None, quote='"'):
    d = np.atleast_2d(bags[0]).shape[1]
    ids = ids or [str(i + 1) for i in range(len(bags))]
    lines = ['@relation toy', '', f"@attribute id {{{','.join(ids)}}}",
             '@attribute bag relational']
    lines += [f"  @attribute f{j + 1} numeric" for j in range(d)]
    lines += ['@end bag']
    lines += [f"@attribute {n} {{0,1}}" for n in label_names]
    lines += ['', '@data']
    for i, b in enumerate(bags):
        inst = '\\n'.join(','.join(repr(float(v)) for v in row) for row in np.atleast_2d(b))
        lines.append(f"{ids[i]},{quote}{inst}{quote}," + ','.join(str(int(y)) for y in Y[i]))
    return '\n'.join(lines) + '\n'


def mulan_xml(names):
    body = ''.join(f'<label name="{n}"></label>\n' for n in names)
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            '<labels xmlns="http://mulan.sourceforge.net/labels">\n' + body + '</labels>\n')


def cell(arrays, row=False):
    """A MATLAB cell vector (N x 1, or 1 x N with row=True) of the given arrays."""
    c = np.empty((1, len(arrays)) if row else (len(arrays), 1), dtype=object)
    for i, a in enumerate(arrays):
        c.flat[i] = np.asarray(a, dtype=np.float64)
    return c


def save_mat(path, **variables):
    savemat(str(path), variables, format='5')
    return path
