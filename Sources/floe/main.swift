import FloeCLI
import FloeSQLite
import Foundation

// The engines this build can run plans on.
SQLiteAdapter.register()
exit(FloeCommand.main(arguments: Array(CommandLine.arguments.dropFirst())))
