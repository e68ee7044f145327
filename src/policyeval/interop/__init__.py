"""Reading (and writing) what researchers already have in other tools.

- :mod:`policyeval.interop.refi_qda`, :mod:`~policyeval.interop.qualcoder` and
  :mod:`~policyeval.interop.taguette` read coded qualitative work into coded
  segments; :mod:`~policyeval.interop.mapping` maps codes to indicators and
  :mod:`~policyeval.interop.coded` turns segments into evidence tables.
- :mod:`policyeval.interop.dexi` reads DEXi models and evaluates them as DEXi
  does; :mod:`~policyeval.interop.dexi_codes` evaluates many alternatives at
  once on arrays; :mod:`~policyeval.interop.dexi_framework` turns them into
  frameworks and back.

Untrusted files are read through one guarded reader (no entity tricks, no
archive member escaping its folder, no compression bombs).
"""
