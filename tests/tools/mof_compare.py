#!/usr/bin/env python3
"""Compares modelreg's MOF classes with the Model Openness Tool's, file by file.

usage: mof_compare.py DRY_RUN.json TOOL.tsv
  DRY_RUN.json: `modelreg import mof DIR --dry-run -o json` (the records in file order, none failed)
  TOOL.tsv:     `mof_tool_class.py TOOL_CHECKOUT DIR` (file<TAB>class, the same files in the same order)
Prints the counts and every file whose classes differ.
"""
import json,collections,sys
d=json.load(open(sys.argv[1]))
models=d.get('models',[])
tool=[l.rstrip('\n').split('\t') for l in open(sys.argv[2])]
m={'MOF_CLASS_UNCLASSIFIED':'0','MOF_CLASS_III':'3','MOF_CLASS_II':'2','MOF_CLASS_I':'1'}
agree=0;dis=[];ours=collections.Counter();theirs=collections.Counter()
for (f,t),mod in zip(tool,models):
    o=m.get(mod.get('openness',{}).get('mof_class','?'),'?')
    ours[o]+=1; theirs[t]+=1
    if o==t: agree+=1
    else: dis.append((f.split('/')[-1],t,o,mod['name']))
print('files',len(tool),'assessed',len(models),'agree',agree,'disagree',len(dis)); print('ours',dict(ours),'tool',dict(theirs))
for x in dis: print(x)
