r"""The package's architecture: layers import downwards only, no import cycle, no module
over 450 lines, every subpackage imports cleanly (see ``docs/architecture.md``)."""
import ast
import subprocess
import sys
from pathlib import Path


ROOT = Path(__file__).resolve().parents[1] / 'gmiml'

#: layer of each top-level part of ``gmiml`` (a module may import from its own layer or
#: below, never from above)
LAYERS = {
    'utils': 0, '_lazy': 0,
    'io': 1, 'metrics': 1, 'losses': 1, 'nn': 1, 'loader': 1, 'transforms': 1,
    'datasets': 2, 'distributed': 2,
    'estimators': 3,
    'baselines': 4,
    'cli': 5,
}
MAX_LINES = 450


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix('').parts)
    if parts[-1] == '__init__':
        parts = parts[:-1]
    return '.'.join(parts)


def _modules() -> dict:
    return {_module_name(p): p for p in sorted(ROOT.rglob('*.py'))}


def _resolve(node: ast.ImportFrom, name: str, is_pkg: bool) -> str:
    if node.level == 0:
        return node.module or ''
    base = name.split('.')
    if not is_pkg:
        base = base[:-1]
    base = base[:len(base) - (node.level - 1)]
    return '.'.join(base + ([node.module] if node.module else []))


def _imports(name: str, path: Path, modules: dict) -> set:
    """The ``gmiml`` modules ``name`` imports anywhere in its source (top level or inside
    functions), each resolved to the longest known module name."""
    tree = ast.parse(path.read_text(), filename=str(path))
    targets = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            mod = _resolve(node, name, path.name == '__init__.py')
            targets.add(mod)
            targets.update(f'{mod}.{a.name}' for a in node.names)
    out = set()
    for t in targets:
        if not (t == 'gmiml' or t.startswith('gmiml.')):
            continue
        while t not in modules and '.' in t:
            t = t.rsplit('.', 1)[0]
        if t in modules and t != name:
            out.add(t)
    return out


def _graph() -> dict:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def _layer(name: str):
    parts = name.split('.')
    return LAYERS.get(parts[1]) if len(parts) > 1 else None


def test_every_part_has_a_layer():
    parts = {name.split('.')[1] for name in _modules() if '.' in name}
    assert parts <= set(LAYERS), f"parts without a layer: {sorted(parts - set(LAYERS))}"


def test_imports_go_downwards():
    bad = []
    for name, deps in _graph().items():
        src = _layer(name)
        if src is None:  # the top-level package only re-exports (lazily)
            continue
        for dep in sorted(deps):
            dst = _layer(dep)
            if dst is not None and dst > src:
                bad.append(f'{name} (layer {src}) imports {dep} (layer {dst})')
    assert not bad, '\n'.join(bad)


def _find_cycle(graph: dict):
    state = {}
    stack = []

    def visit(n):
        state[n] = 1
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            # a package importing its own submodules (re-exports) is not a cycle
            if m.startswith(n + '.'):
                continue
            if state.get(m) == 1:
                return stack[stack.index(m):] + [m]
            if m not in state:
                cyc = visit(m)
                if cyc:
                    return cyc
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(graph):
        if n not in state:
            cyc = visit(n)
            if cyc:
                return cyc
    return None


def test_no_import_cycle():
    cyc = _find_cycle(_graph())
    assert cyc is None, 'import cycle: ' + ' -> '.join(cyc)


def test_cycle_checker_finds_a_cycle():
    assert _find_cycle({'a': {'b'}, 'b': {'c'}, 'c': {'a'}}) == ['a', 'b', 'c', 'a']
    assert _find_cycle({'a': {'b'}, 'b': {'c'}, 'c': set()}) is None


def _long_modules():
    out = []
    for name, path in _modules().items():
        n = len(path.read_text().splitlines())
        if n > MAX_LINES:
            out.append(f'{name}: {n} lines')
    return out


def test_module_length():
    long = _long_modules()
    assert not long, f'modules over {MAX_LINES} lines: {long}'


PACKAGES = sorted(_module_name(p) for p in ROOT.rglob('__init__.py'))


def test_every_package_imports_cleanly():
    # one fresh interpreter (nothing imported by other tests hides a broken import)
    # imports every package and resolves every name of its __all__, lazy ones included
    code = (
        'import importlib, traceback\n'
        'bad = []\n'
        f'for pkg in {PACKAGES!r}:\n'
        '    try:\n'
        '        m = importlib.import_module(pkg)\n'
        '        [getattr(m, n) for n in getattr(m, "__all__", [])]\n'
        '    except Exception:\n'
        '        bad.append(pkg + ": " + traceback.format_exc())\n'
        'assert not bad, "\\n".join(bad)\n')
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                       cwd=str(ROOT.parent))
    assert r.returncode == 0, r.stderr[-3000:]
    assert {'gmiml', 'gmiml.cli', 'gmiml.loader', 'gmiml.nn.conv'} <= set(PACKAGES)
