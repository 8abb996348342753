#!/usr/bin/env node
'use strict';
// The `tickwire` command line arrives with issue #9.
process.stderr.write('tickwire: the command line arrives with the CLI issue (#9).\n');
process.exitCode = 2;
