#!/usr/bin/env python3
"""The MOF class of Model Openness Tool model files, computed by the tool's own rules.

A line-by-line port of ModelEvaluator::evaluate() and getClassification() with ModelUpdater (how a model file
becomes a model entity), ComponentManager and LicenseHandler::isOpenSourceLicense() of
https://github.com/lfai/model_openness_tool (web/modules/mof/src/), reading the tool's own component settings and
license lists from a checkout of that repository. Used to compare `modelreg import mof --dry-run` with the tool
(tests/tools/README.md); not run by ctest.

usage: mof_tool_class.py TOOL_CHECKOUT FILE_OR_DIR...   prints "file<TAB>class" (0 = unclassified, 3, 2, 1)
"""
import json
import os
import sys

import yaml

TECHNICAL_REPORT_CID = 11
RESEARCH_PAPER_CID = 21

# LicenseHandler::OPEN_DATA_LICENSES and OPEN_LICENSES.
OPEN_DATA_LICENSES = {
    'CC0-1.0', 'CC-BY-1.0', 'CC-BY-2.0', 'CC-BY-2.5', 'CC-BY-2.5-AU', 'CC-BY-3.0', 'CC-BY-3.0-AT', 'CC-BY-3.0-AU',
    'CC-BY-3.0-DE', 'CC-BY-3.0-IGO', 'CC-BY-3.0-NL', 'CC-BY-3.0-US', 'CC-BY-4.0', 'CC-BY-SA-1.0', 'CC-BY-SA-2.0',
    'CC-BY-SA-2.0-UK', 'CC-BY-SA-2.1-JP', 'CC-BY-SA-2.5', 'CC-BY-SA-3.0', 'CC-BY-SA-3.0-AT', 'CC-BY-SA-4.0',
    'CDLA-Permissive-1.0', 'CDLA-Permissive-2.0', 'CDLA-Sharing-1.0', 'ODC-PDDL-1.0', 'ODC-By-1.0', 'ODbL-1.0',
    'GFDL-1.3', 'OGL-Canada-2.0', 'OGL-UK-2.0', 'OGL-UK-3.0',
}
OPEN_LICENSES = {'OpenMDW-1.0'}


class StringLoader(yaml.SafeLoader):
    """Scalars stay strings but for null (`license:` with no value), which the tool reads as PHP null."""


StringLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag == 'tag:yaml.org,2002:null']
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class Tool:
    def __init__(self, checkout):
        module = os.path.join(checkout, 'web/modules/mof')
        with open(os.path.join(module, 'config/install/mof.settings.yml')) as f:
            self.components = yaml.safe_load(f)['components']
        # LicenseImporter::import(): licenses.json then mof-licenses.json, keyed by licenseId (a later entry with the
        # same id updates the earlier one).
        licenses = {}
        for name in ('licenses.json', 'mof-licenses.json'):
            path = os.path.join(module, name)
            if os.path.exists(path):
                with open(path) as f:
                    for entry in json.load(f)['licenses']:
                        licenses[entry['licenseId']] = entry
        self.osi = {i for i, e in licenses.items() if e.get('isOsiApproved')}
        self.fsf = {i for i, e in licenses.items() if e.get('isFsfLibre')}

    def by_name(self, name):
        # ComponentManager::getComponentByName(): array_search, and an unknown name (false) indexes element 0.
        for c in self.components:
            if c['name'] == name:
                return c
        return self.components[0]

    def by_id(self, cid):
        return next(c for c in self.components if c['id'] == cid)

    def required(self, cls):
        return [c['id'] for c in self.components if c['class'] == cls and c['required'] is True]

    def optional(self, cls):
        return [c['id'] for c in self.components if c['class'] == cls and c['required'] is False]

    def is_open(self, license):
        # LicenseHandler::isOpenSourceLicense(): exact (case-sensitive) license ids.
        return license in self.fsf or license in OPEN_DATA_LICENSES or license in self.osi or license in OPEN_LICENSES


def php_empty(value):
    return value is None or value == '' or value == 0 or value == '0' or value is False or value == [] or value == {}


def php_str(value):
    # Symfony YAML yields strings for quoted scalars; unquoted numbers and dates are rare in license names.
    return value if isinstance(value, str) else str(value)


def load_model(tool, release):
    """ModelUpdater::update(): the components (ids, in file order) and the license data."""
    global_licenses = release.get('license')
    components = {}
    for data in release.get('components') or []:
        component = tool.by_name(data.get('name'))
        entry = {}
        for key in ('license', 'license_path', 'component_path'):
            if key in data and data[key] is not None:  # isset()
                if key == 'license' and data[key] == 'unlicensed':
                    entry[key] = ''
                else:
                    entry[key] = data[key]
        components[component['id']] = entry  # a component listed twice: the last listing wins
    return list(components.keys()), {'global': global_licenses, 'components': components}


def resolve_license(tool, cid, licenses):
    """ModelEvaluator::resolveLicense()."""
    component_license = licenses['components'].get(cid, {})
    if component_license.get('license') is not None:  # isset()
        value = component_license['license']
        return None if php_empty(value) else php_str(value)
    ctype = tool.by_id(cid)['content_type']
    glob = licenses['global'] if isinstance(licenses['global'], dict) else {}
    typed = glob.get(ctype)
    if isinstance(typed, dict) and not php_empty(typed.get('name')):
        return php_str(typed['name'])
    dist = glob.get('distribution')
    if isinstance(dist, dict) and not php_empty(dist.get('name')):
        return php_str(dist['name'])
    return None


def evaluate(tool, model_components, licenses):
    """ModelEvaluator::evaluate()."""
    evaluation = {}
    required, optional = [], []
    for cls in (3, 2, 1):
        evaluation[cls] = {'components': {'missing': [], 'included': [], 'invalid': [], 'unlicensed': [],
                                          'optional': []}, 'licenses': {}}
        required = required + tool.required(cls)
        optional = optional + tool.optional(cls)
        for components, status in ((required, 'included'), (optional, 'optional')):
            for cid in components:
                if cid not in model_components:
                    if status == 'included':
                        evaluation[cls]['components']['missing'].append(cid)
                    continue
                license = resolve_license(tool, cid, licenses) or 'unlicensed'
                if tool.is_open(license):
                    evaluation[cls]['components'][status].append(cid)
                elif license == 'unlicensed':
                    evaluation[cls]['components']['unlicensed'].append(cid)
                else:
                    evaluation[cls]['components']['invalid'].append(cid)
                evaluation[cls]['licenses'][cid] = license
    # handleTechnicalReportOmission()
    if status_of(evaluation[3]['components'], TECHNICAL_REPORT_CID) != 'included':
        paper = status_of(evaluation[1]['components'], RESEARCH_PAPER_CID)
        if paper is not None:
            for cls in (1, 2, 3):
                missing = evaluation[cls]['components']['missing']
                if TECHNICAL_REPORT_CID in missing:
                    missing.remove(TECHNICAL_REPORT_CID)
            license = evaluation[1]['licenses'].get(RESEARCH_PAPER_CID, '')
            for cls in (2, 3):
                evaluation[cls]['components'][paper].append(RESEARCH_PAPER_CID)
                evaluation[cls]['licenses'][RESEARCH_PAPER_CID] = license
    return evaluation


def status_of(components, cid):
    for status in ('included', 'invalid', 'unlicensed'):
        if cid in components.get(status, []):
            return status
    return None


def progress(tool, evaluation, cls):
    """ModelEvaluator::getProgress()."""
    total = 0
    included = 0
    i = 3
    while i >= cls:
        total += len(tool.required(i))
        included = len(evaluation[i]['components']['included'])
        if included < total:
            break
        i -= 1
    if i > cls:
        return 0.0
    if (cls == 1 and status_of(evaluation[1]['components'], TECHNICAL_REPORT_CID) != 'included'
            and status_of(evaluation[1]['components'], RESEARCH_PAPER_CID) == 'included'):
        total -= 1
    value = included / total * 100
    return min(value, 100.0)


def classification(tool, release):
    """ModelEvaluator::getClassification(FALSE)."""
    model_components, licenses = load_model(tool, release)
    evaluation = evaluate(tool, model_components, licenses)
    completed = 0
    for cls in (3, 2, 1):
        if progress(tool, evaluation, cls) == 100.0:
            completed = cls
    return completed


def files(paths):
    for path in paths:
        if os.path.isdir(path):
            for name in sorted(os.listdir(path)):
                if name.endswith(('.yml', '.yaml')):
                    yield os.path.join(path, name)
        else:
            yield path


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    tool = Tool(argv[1])
    for path in files(argv[2:]):
        with open(path) as f:
            document = yaml.load(f, Loader=StringLoader)
        print(f"{path}\t{classification(tool, document['release'])}")
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
