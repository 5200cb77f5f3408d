$RG validate --bogus x.hujson
