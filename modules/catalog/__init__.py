"""The module catalogue: one file per module, each declaring one :class:`modules.contract.Module`.

The registry imports every file here; nothing else needs to change to add a module.
"""
