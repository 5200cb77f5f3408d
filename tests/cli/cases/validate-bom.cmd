printf "\xef\xbb\xbf{}\n" | $RG validate -
