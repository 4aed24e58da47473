"""The label-frequency prior of Table 2 (gmiml.baselines.LabelFrequencyPrior, tested in
tests/baselines): shown as a reference row, never ranked."""
import json



def test_prior_is_a_reference_row(run, no_data):
    out = no_data / 'o'
    assert run('--methods', 'MIMLNN', 'MIMLSVM', 'Prior', '--seeds', '0', '1', out=out) == 0
    t = json.loads((out / 'table2.json').read_text())
    assert t['reference_methods'] == ['Prior'] and 'Prior' not in t['average_rank']
    prior = [c for c in t['cells'] if c['method'] == 'Prior']
    assert prior and all(c['rank'] is None and c['reference'] for c in prior)
    assert t['friedman_nemenyi']['n_methods'] == 2
    md = (out / 'table2.md').read_text()
    assert '(ref)' in md and 'take no part in the ranks or the Friedman test' in md
