<?php
// Callbacks named in strings, with request input beside them, the way applications use them.
$ids = array_map('intval', (array) ($_POST['ids'] ?? []));
$names = array_filter(explode(',', $_GET['names'] ?? ''), 'strlen');
usort($names, 'strcmp');
echo implode(',', array_map('htmlspecialchars', $names)) . count($ids);
