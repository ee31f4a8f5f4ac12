# Counts a QAPI schema the way QEMU's own generator sees it, with QEMU's scripts/qapi (from the
# QEMU source tree given; nothing of QEMU's is kept here). Prints: commands events structs unions
# enums alternates doc-blocks. Named entities only: implicit types (q_obj_*, q_empty, the builtin
# enum QType) and array types are the generator's own, not the schema's definitions.
import sys
sys.path.insert(0, sys.argv[1] + '/scripts')
from qapi.schema import (QAPISchema, QAPISchemaCommand, QAPISchemaEvent, QAPISchemaEnumType,
                         QAPISchemaAlternateType, QAPISchemaObjectType)
from qapi.parser import QAPISchemaParser

path = sys.argv[1] + '/qapi/qapi-schema.json'
schema = QAPISchema(path)
n = dict(command=0, event=0, struct=0, union=0, enum=0, alternate=0)
for e in schema._entity_list:
    if isinstance(e, QAPISchemaCommand):
        n['command'] += 1
    elif isinstance(e, QAPISchemaEvent):
        n['event'] += 1
    elif getattr(e, 'is_implicit', lambda: False)():
        continue
    elif isinstance(e, QAPISchemaEnumType):
        n['enum'] += 1
    elif isinstance(e, QAPISchemaAlternateType):
        n['alternate'] += 1
    elif isinstance(e, QAPISchemaObjectType):
        # 7.2 calls a union's branches 'variants', 10.0 'branches'
        if getattr(e, 'variants', None) or getattr(e, 'branches', None):
            n['union'] += 1
        else:
            n['struct'] += 1
docs = len(QAPISchemaParser(path).docs)
print(n['command'], n['event'], n['struct'], n['union'], n['enum'], n['alternate'], docs)
