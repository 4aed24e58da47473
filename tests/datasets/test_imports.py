"""The data layers import downwards only and without cycles: gmiml.io and
gmiml.utils.validation import nothing of gmiml.datasets; inside gmiml.datasets the
modules form no cycle (imports inside functions included)."""
import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[2] / 'gmiml'
LOWER = {'io', 'utils', 'metrics', 'losses', 'nn'}  # what gmiml.datasets may import


def _imports(path: Path, package: str):
    """Every gmiml module a file imports (at any depth of the file)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit('.', node.level - 1)[0] if node.level > 1 else package
                mod = f"{base}.{node.module}" if node.module else base
                out |= {mod} if node.module else {f"{base}.{a.name}" for a in node.names}
            elif node.module and node.module.startswith('gmiml'):
                out.add(node.module)
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith('gmiml')}
    return out


def _graph(sub: str):
    return {f"gmiml.{sub}.{p.stem}": _imports(p, f"gmiml.{sub}")
            for p in (PKG / sub).glob('*.py') if p.stem != '__init__'}


def test_datasets_imports_only_lower_layers():
    for mod, deps in _graph('datasets').items():
        for d in deps:
            layer = d.split('.')[1]
            assert layer == 'datasets' or layer in LOWER, f"{mod} imports {d}"


def test_io_and_validation_do_not_import_datasets():
    deps = set().union(*_graph('io').values(), _imports(PKG / 'utils' / 'validation.py',
                                                         'gmiml.utils'))
    assert not [d for d in deps if d.split('.')[1] not in ('io', 'utils')], deps


def test_no_cycle_in_datasets():
    graph = {m: {d for d in deps if d in _graph('datasets')}
             for m, deps in _graph('datasets').items()}
    seen, done = set(), set()

    def visit(m, path):
        assert m not in path, f"import cycle: {' -> '.join(path + [m])}"
        if m in done:
            return
        for d in graph[m]:
            visit(d, path + [m])
        done.add(m)

    for m in graph:
        visit(m, [])
    # the two modules the old layout tied into a cycle
    assert 'gmiml.datasets.load' not in graph['gmiml.datasets.download']
