import FloeCLI
import FloePostgres
import FloeSQLite
import FloeSpark
import Foundation

// The engines this build can run plans on.
SQLiteAdapter.register()
PostgresAdapter.register()
SparkAdapter.register()
exit(FloeCommand.main(arguments: Array(CommandLine.arguments.dropFirst())))
