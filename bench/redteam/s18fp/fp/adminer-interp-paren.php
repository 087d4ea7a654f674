<?php $row = $_POST; $s = "PARTITION BY $row[a]($row[b])"; echo $s;
