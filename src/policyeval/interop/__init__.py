"""Reading and writing what other tools produce.

- :mod:`policyeval.interop.dexi` reads DEXi models and evaluates them as DEXi does;
  :mod:`policyeval.interop.dexi_framework` turns them into frameworks and back.
"""
