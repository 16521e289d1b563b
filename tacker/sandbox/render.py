"""What the operator reads: numbered steps, instance tables, the summary.

Nothing here talks to a server; every function takes API answers (plain
JSON) and returns or prints text.  The tables show, per VDU, the pods an
instance's ``vnfcResourceInfo`` names (``computeResource.resourceId``)
and the scale level of the VDU's aspect, which is what the
synchronization keeps true.
"""

import sys


def vnfcs(instance):
    """(VDU id, kind, pod name) of each vnfcResourceInfo entry, sorted."""
    info = instance.get('instantiatedVnfInfo') or {}
    rows = []
    for entry in info.get('vnfcResourceInfo') or []:
        compute = entry.get('computeResource') or {}
        rows.append((entry.get('vduId') or '?',
                     compute.get('vimLevelResourceType') or '?',
                     compute.get('resourceId') or '?'))
    return sorted(rows)


def pods_of(instance, vdu_id):
    """Pod names an instance records for one VDU, sorted."""
    return sorted(pod for vdu, _kind, pod in vnfcs(instance)
                  if vdu == vdu_id)


def scale_levels(instance):
    """Aspect id -> scale level, from ``scaleStatus``."""
    info = instance.get('instantiatedVnfInfo') or {}
    return {s.get('aspectId'): s.get('scaleLevel')
            for s in info.get('scaleStatus') or []}


def instance_table(instance, vdu_aspects, *, marks=None):
    """The lines of one instance's table.

    ``vdu_aspects`` maps a VDU id to its aspect id (or None);
    ``marks`` maps a pod name to a short note printed after it.
    """
    marks = marks or {}
    levels = scale_levels(instance)
    header = ('VDU', 'kind', 'pod name (resourceId)', 'scale level')
    rows = []
    last_vdu = None
    for vdu, kind, pod in vnfcs(instance):
        first = vdu != last_vdu
        last_vdu = vdu
        level = ''
        if first and vdu_aspects.get(vdu):
            aspect = vdu_aspects[vdu]
            level = '%s = %s' % (aspect, levels.get(aspect, '-'))
        note = marks.get(pod)
        rows.append((vdu if first else '', kind if first else '',
                     pod + ('  <- %s' % note if note else ''), level))
    widths = [max(len(r[i]) for r in rows + [header])
              for i in range(len(header))]

    def line(cells):
        return '  '.join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()

    rule = '  '.join('-' * w for w in widths)
    return [line(header), rule] + [line(r) for r in rows]


def turnover_marks(turnover):
    """Pod name -> note for the table: how each new pod came.

    ``turnover`` is a ``PodTurnover``; a new pod is said to replace a gone
    one only when the pairing is known, as in the conductor's log line.
    """
    if turnover.known:
        note = 'new, replaces %s' % turnover.gone[0]
    elif turnover.gone:
        note = 'new; replaced (one of): %s' % ', '.join(turnover.gone)
    else:
        note = 'new'
    return {pod: note for pod in turnover.came}


class Printer:
    """Numbered one-line steps, indented details, a result per check."""

    INDENT = '      '

    def __init__(self, out=None):
        self.out = out or sys.stdout
        self.number = 0

    def write(self, text=''):
        self.out.write(text + '\n')
        self.out.flush()

    def step(self, text):
        self.number += 1
        self.write('[%2d] %s' % (self.number, text))

    def detail(self, lines):
        if isinstance(lines, str):
            lines = [lines]
        for text in lines:
            self.write((self.INDENT + text) if text else '')

    def heading(self, text):
        self.write()
        self.write('== %s ==' % text)


def summary_lines(checks):
    """``PASS``/``FAIL`` lines of the demo's expectations."""
    width = max((len(c.name) for c in checks), default=0)
    lines = []
    for check in checks:
        lines.append('%s  %s  %s' % ('PASS' if check.passed else 'FAIL',
                                     check.name.ljust(width), check.detail))
    return lines


def kubectl_lines(kubeconfig):
    """kubectl against the simulator, through the sandbox's kubeconfig."""
    return [
        '  export KUBECONFIG=%s' % kubeconfig,
        '  kubectl get deploy,pods',
        '  kubectl delete pod POD_NAME',
        '  kubectl scale deploy vdu1 --replicas=3',
        '',
    ]


def try_it_lines(*, api_url, sim_url, instances, token_file, log_file,
                 openstack='openstack', metrics_url=None, kubeconfig=None,
                 ca_file=None):
    """What to try against a sandbox left running (``--keep-running``).

    ``instances`` maps 'v1'/'v2' to (instance id, namespace).
    """
    v1_id, v1_ns = instances['v1']
    v2_id, v2_ns = instances['v2']
    osc = '%s --os-auth-type none --os-endpoint %s' % (openstack, api_url)
    osc2 = osc + ' --os-tacker-api-version 2'
    api = api_url.rstrip('/')
    curl_sim = 'curl -s --cacert %s' % ca_file if ca_file else 'curl -s'
    kubectl = kubectl_lines(kubeconfig) if kubeconfig else []
    return [
        'tacker-server:        %s  (noauth)' % api_url,
        'Kubernetes simulator: %s  (bearer token in %s)'
        % (sim_url, token_file),
        'Product log:          %s' % log_file,
        'Prometheus metrics:   %s' % (
            metrics_url or '(not served: see the product log)'),
        '',
        'The API through python-tackerclient:',
        '  %s vnflcm list' % osc,
        '  %s vnflcm show %s' % (osc, v1_id),
        '  %s vnflcm show %s' % (osc2, v2_id),
        '  %s vnflcm scale %s --type SCALE_OUT --aspect-id vdu1_aspect'
        % (osc2, v2_id),
        '  %s vnflcm op list' % osc2,
        '',
        'The API with curl:',
        '  curl -s %s/vnflcm/v1/vnf_instances/%s' % (api, v1_id),
        "  curl -s -H 'Version: 2.0.0' %s/vnflcm/v2/vnf_instances/%s"
        % (api, v2_id),
        "  curl -s -H 'Version: 2.0.0' %s/vnflcm/v2/vnf_lcm_op_occs" % api,
        '',
        'Change the cluster behind Tacker\'s back with kubectl (namespace '
        '%s by default), then watch the next sync pass:' % v1_ns,
    ] + kubectl + [
        'The same through the simulator\'s admin endpoint (no token):',
        '  %s %s/_sim/state' % (curl_sim, sim_url),
        '  %s -X POST %s/_sim/pods/%s/POD_NAME/kill'
        % (curl_sim, sim_url, v2_ns),
        "  %s -X POST -d '{\"replicas\": 3}' "
        '%s/_sim/scale/%s/deployment/vdu1' % (curl_sim, sim_url, v2_ns),
        '  %s -H "Authorization: Bearer $(cat %s)" '
        '%s/api/v1/namespaces/%s/pods'
        % (curl_sim, token_file, sim_url, v2_ns),
        '',
        'The synchronization\'s metrics (passes, changes, Kubernetes '
        'requests, VIMs):',
        '  curl -s %s | grep ^tacker_dbsync' % (metrics_url or 'URL'),
        '',
        'Press Ctrl-C to stop everything.',
    ]
