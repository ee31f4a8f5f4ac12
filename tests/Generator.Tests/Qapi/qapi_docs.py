# Prints, as JSON, what QEMU's own doc parser (scripts/qapi/parser.py, from the QEMU source tree
# given; nothing of QEMU's is kept here) reads from each definition doc of a schema: the member
# and feature descriptions and the Since section. The tests compare ours with it.
import json
import sys
sys.path.insert(0, sys.argv[1] + '/scripts')
from qapi.parser import QAPISchemaParser

docs = {}
for doc in QAPISchemaParser(sys.argv[1] + '/qapi/qapi-schema.json').docs:
    if not doc.symbol:
        continue
    since = None
    for section in getattr(doc, 'sections', []) + getattr(doc, 'all_sections', []):
        name = getattr(section, 'name', None) or getattr(section, 'tag', None)
        kind = str(getattr(section, 'kind', ''))
        if name == 'Since' or kind.lower().endswith('since'):
            since = section.text
    docs[doc.symbol] = {
        'args': {name: s.text for name, s in doc.args.items()},
        'features': {name: s.text for name, s in doc.features.items()},
        'since': since,
    }
print(json.dumps(docs))
