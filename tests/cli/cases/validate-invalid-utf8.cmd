printf "{\"hosts\": {\"x\": \"10.0.0.1\xff\"}}\n" | $RG validate -
