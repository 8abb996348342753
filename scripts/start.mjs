// Placeholder until the demo bot lands (issue #9): say so plainly and fail.
console.error('tickwire: the demo bot (`npm start`) arrives with the CLI issue (#9).');
process.exit(1);
