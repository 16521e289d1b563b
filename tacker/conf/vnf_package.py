"""The [vnf_package] group: where onboarded VNF packages are kept."""

from oslo_config import cfg

GROUP = cfg.OptGroup('vnf_package', title='VNF packages')

OPTS = [
    cfg.StrOpt('vnf_package_csar_path',
               default='$state_path/vnfpackages',
               help='Directory where each onboarded package is unpacked, '
                    'one sub-directory per package id.'),
]


def register_opts(conf):
    conf.register_group(GROUP)
    conf.register_opts(OPTS, group=GROUP)


def list_opts():
    return {GROUP: OPTS}
